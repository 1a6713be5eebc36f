import { mayHoldSecrets, redactValue, truncateStrings } from "./redact.js";
import { repairLog } from "./repair-log.js";
import type { RequestLog } from "./request-log.js";
import type { SecretMatcher } from "./secret-matcher.js";

export interface PrepareLogOptions {
  /** Known secrets to remove wherever they appear (any casing, base64 too), besides the key-shaped patterns. */
  secrets?: Iterable<string> | SecretMatcher;
  /** The user's own redaction (PII…), run after Keyway's; returning `null` drops the log. */
  redact?: (log: RequestLog) => RequestLog | null;
  /** Longest string kept in a log (default 100,000 characters); longer ones are cut with a marker. */
  maxStringChars?: number;
}

/**
 * What happens to every log before it leaves the process: fields no store would take bounded and marked (the call
 * happened; its log must not be refused), secrets out, the user's hook, size limits.
 */
export function prepareLog(log: RequestLog, options: PrepareLogOptions = {}): RequestLog | null {
  const redacted = redactValue(repairLog(log), options.secrets);
  const hooked = options.redact ? options.redact(redacted) : redacted;
  if (hooked === null) return null;
  return truncateStrings(hooked, options.maxStringChars ?? 100_000);
}

/**
 * `prepareLog`, serialized. Most logs hold no secret and no huge string: for those (and when there is no user
 * hook) one `JSON.stringify` and one scan of its text replace the two deep walks.
 */
export function serializePreparedLog(log: RequestLog, options: PrepareLogOptions = {}): string | null {
  if (!options.redact) {
    log = repairLog(log);
    const json = JSON.stringify(log);
    // A string longer than the limit cannot hide in a shorter whole.
    if (json.length <= (options.maxStringChars ?? 100_000) && !mayHoldSecrets(json, options.secrets ?? []))
      return json;
  }
  const prepared = prepareLog(log, options);
  return prepared === null ? null : JSON.stringify(prepared);
}
