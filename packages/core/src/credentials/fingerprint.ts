import { createHash } from "node:crypto";

/** A stable, non-reversible id for a key: safe to log, show and compare. */
export function fingerprintKey(apiKey: string): string {
  return `key_${createHash("sha256").update(apiKey).digest("hex").slice(0, 12)}`;
}
