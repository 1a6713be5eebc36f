import { redactValue, truncateStrings } from "./redact.js";
import type { RequestLog } from "./request-log.js";

export interface PrepareLogOptions {
  /** Exact secrets to remove wherever they appear, besides the key-shaped patterns. */
  secrets?: Iterable<string>;
  /** The user's own redaction (PII…), run after Keyway's; returning `null` drops the log. */
  redact?: (log: RequestLog) => RequestLog | null;
  /** Longest string kept in a log (default 100,000 characters); longer ones are cut with a marker. */
  maxStringChars?: number;
}

/** What happens to every log before it leaves the process: secrets out, the user's hook, size limits. */
export function prepareLog(log: RequestLog, options: PrepareLogOptions = {}): RequestLog | null {
  const redacted = redactValue(log, options.secrets);
  const hooked = options.redact ? options.redact(redacted) : redacted;
  if (hooked === null) return null;
  return truncateStrings(hooked, options.maxStringChars ?? 100_000);
}
