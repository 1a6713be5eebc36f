import { redactValue } from "./redact.js";
import type { RequestLog } from "./request-log.js";
import { SecretMatcher } from "./secret-matcher.js";

/**
 * Removes the keys one call used (any casing, base64 too) from its log: an upstream may echo a key that is not
 * key-shaped, or echo it transformed. Matchers are kept per set of keys (pool keys repeat), up to `maxCached`.
 */
export function knownSecretRedactor(
  maxCached = 1_000,
): (log: RequestLog, secrets: readonly string[]) => RequestLog {
  const matchers = new Map<string, SecretMatcher>();
  return (log, secrets) => {
    if (secrets.length === 0) return log;
    const cacheKey = secrets.join("\u0000");
    let matcher = matchers.get(cacheKey);
    if (!matcher) {
      if (matchers.size >= maxCached) matchers.clear();
      matcher = new SecretMatcher(secrets);
      matchers.set(cacheKey, matcher);
    }
    return matcher.test(JSON.stringify(log)) ? redactValue(log, matcher) : log;
  };
}
