import { redactText } from "../log/redact.js";

export interface StderrWarnerOptions {
  /** At most one line per this many ms; the ones in between are counted into the next line (default 10 s). */
  intervalMs?: number;
  write?: (line: string) => void;
  now?: () => number;
}

/**
 * The default `onError` of Keyway's components: a problem that must not break the caller (a log that could not
 * be written, a hook that threw) becomes one line on stderr — never silence, never a flood: at most one line per
 * interval, with a count of the ones held back.
 */
export function stderrWarner(source: string, options: StderrWarnerOptions = {}): (error: unknown) => void {
  const intervalMs = options.intervalMs ?? 10_000;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  let lastAt = Number.NEGATIVE_INFINITY;
  let heldBack = 0;
  return (error) => {
    const at = now();
    if (at - lastAt < intervalMs) {
      heldBack++;
      return;
    }
    lastAt = at;
    const more = heldBack > 0 ? ` (+${heldBack} more since the last warning)` : "";
    heldBack = 0;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    try {
      write(`[keyway] ${source}: ${redactText(message.replace(/\s+/g, " ").slice(0, 500))}${more}\n`);
    } catch {}
  };
}
