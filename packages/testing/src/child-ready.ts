import type { ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

/**
 * Resolves once a child server prints `marker` (on stdout or stderr), then keeps draining its output so it never
 * blocks on a full pipe; rejects with what it printed when it exits first or `timeoutMs` passes.
 */
export async function childReady(
  child: ChildProcessByStdio<null, Readable, Readable>,
  marker: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${output}`));
    });
  });
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
}
