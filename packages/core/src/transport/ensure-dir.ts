import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

const notADirectory = (dir: string) =>
  Object.assign(new Error(`${dir} exists and is not a directory`), { code: "ENOTDIR" });

/**
 * `mkdir -p` that gives up instead of spinning: Node's recursive mkdir loops forever at 100 % CPU on paths it
 * can never create (under `/proc`, for one), where each level answers ENOENT although its parent exists.
 * Here each level is tried once more after its parent is made, then the error stands. Synchronous: it runs
 * once per spool directory, and must also work in `process.on("exit")`.
 */
export function ensureDirSync(dir: string, depth = 0): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (!statSync(dir).isDirectory()) throw notADirectory(dir);
      return;
    }
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir || depth > 64) throw error;
    ensureDirSync(parent, depth + 1);
    try {
      mkdirSync(dir);
    } catch (retry) {
      if ((retry as NodeJS.ErrnoException).code !== "EEXIST") throw retry;
    }
  }
}
