import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rename, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The spool directory used when none is configured: under the OS temp dir, named for the project. */
export const defaultSpoolDir = (): string => join(tmpdir(), "keyway-spool");

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * An append-only spool of serialized logs (JSON lines) in a directory several sinks may share. Each sink writes
 * its own files (`<pid>-<random>-<n>.jsonl`, opened and closed per append); a sink replays a file by first
 * renaming it to `….claimed-<pid>` — the rename is the lock — and deletes it once every log in it is settled.
 * Claimed files of a process that died are taken over.
 */
export class Spool {
  readonly dir: string;
  readonly #prefix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  #fileIndex = 0;
  #writes: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.dir = dir;
  }

  get #currentFile(): string {
    return join(this.dir, `${this.#prefix}-${this.#fileIndex}.jsonl`);
  }

  /** Appends lines (one serialized log each); appends are serialized so lines never interleave. */
  append(lines: string[]): Promise<void> {
    const write = this.#writes.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await appendFile(this.#currentFile, `${lines.join("\n")}\n`);
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** For `process.on("exit")`, where nothing asynchronous runs any more. */
  appendSync(lines: string[]): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.#currentFile, `${lines.join("\n")}\n`);
  }

  /** Claims every spool file not being written: other sinks' files, this sink's earlier files, orphans. */
  async claim(): Promise<string[]> {
    await this.#writes;
    this.#fileIndex++; // later appends of this sink go to a fresh file, so the current one can be claimed
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const claimed: string[] = [];
    for (const name of names) {
      const orphan = /\.claimed-(\d+)$/.exec(name);
      // A claimed file whose owner lives (this process included) is being replayed.
      if (orphan && isAlive(Number(orphan[1]))) continue;
      if (!name.endsWith(".jsonl") && !orphan) continue;
      if (name === `${this.#prefix}-${this.#fileIndex}.jsonl`) continue;
      const base = orphan ? name.slice(0, orphan.index) : name;
      const target = join(this.dir, `${base}.claimed-${process.pid}`);
      try {
        if (join(this.dir, name) !== target) await rename(join(this.dir, name), target);
        claimed.push(target);
      } catch {
        // Another sink claimed it first.
      }
    }
    return claimed;
  }

  /** The lines of a claimed file; a torn last line (a crash mid-append) is skipped. */
  async read(file: string): Promise<string[]> {
    const text = await readFile(file, "utf8");
    return text.split("\n").filter((line) => {
      if (line.trim() === "") return false;
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    });
  }

  async remove(file: string): Promise<void> {
    await unlink(file).catch(() => undefined);
  }
}
