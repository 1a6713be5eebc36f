import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { callerKeyOf } from "@keyway/core";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Checks the key the caller presented (core's `callerKeyOf`: a bearer token or `x-api-key`) in constant time. */
export function createAuthCheck(apiKeys: readonly string[]): (req: IncomingMessage) => boolean {
  const digests = apiKeys.map(digest);
  return (req) => {
    const key = callerKeyOf((name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    });
    if (key === undefined) return false;
    const given = digest(key);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(given, known) || ok;
    return ok;
  };
}
