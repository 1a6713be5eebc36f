import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { callerKeyOf, errorFaceOfPath } from "@keyway/core";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Checks the key the caller presented (core's `callerKeyOf`: a bearer token, `x-api-key`, `x-goog-api-key`, or
 * `?key=` on Gemini's routes only, where Google's clients put it) in constant time.
 */
export function createAuthCheck(apiKeys: readonly string[]): (req: IncomingMessage, url: URL) => boolean {
  const digests = apiKeys.map(digest);
  return (req, url) => {
    const query = errorFaceOfPath(url.pathname) === "google" ? url.searchParams : undefined;
    const key = callerKeyOf((name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    }, query);
    if (key === undefined) return false;
    const given = digest(key);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(given, known) || ok;
    return ok;
  };
}
