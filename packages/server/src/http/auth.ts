import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Checks `Authorization: Bearer <key>` against the configured keys in constant time. */
export function createAuthCheck(apiKeys: readonly string[]): (req: IncomingMessage) => boolean {
  const digests = apiKeys.map(digest);
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
    const given = digest(header.slice(7).trim());
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(given, known) || ok;
    return ok;
  };
}
