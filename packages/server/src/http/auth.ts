import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Checks the caller's key against the configured keys in constant time: `Authorization: Bearer <key>`, or
 * `x-api-key: <key>` as Anthropic's SDK sends it.
 */
export function createAuthCheck(apiKeys: readonly string[]): (req: IncomingMessage) => boolean {
  const digests = apiKeys.map(digest);
  return (req) => {
    const header = req.headers.authorization;
    const apiKey = req.headers["x-api-key"];
    const key =
      typeof header === "string" && header.startsWith("Bearer ")
        ? header.slice(7).trim()
        : typeof apiKey === "string"
          ? apiKey.trim()
          : undefined;
    if (key === undefined) return false;
    const given = digest(key);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(given, known) || ok;
    return ok;
  };
}
