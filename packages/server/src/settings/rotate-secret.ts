import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "@keyway/core";
import { parseSecretKey, resolveSecretKeys, writeKeyFile } from "../secrets/master-key.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { isPostgresUrl } from "../store/db-url.js";
import { sealContext } from "./managed-settings.js";
import { PostgresSettingsStore } from "./postgres-settings-store.js";
import { sealedKinds } from "./settings-store.js";
import { SqliteSettingsStore } from "./sqlite-settings-store.js";

export interface RotationResult {
  resealed: number;
  keyId: string;
  /** What the operator does next, when there is something to do. */
  next?: string;
}

/**
 * `keyway rotate-secret`: every stored secret opened with the current key ring and sealed again under a new key,
 * in one transaction, while instances keep serving. With a key file (SQLite without `KEYWAY_SECRET_KEY`), a key
 * is generated and written first in the file, the old one kept after it, so a running instance opens both and
 * seals with the new one from its next reload. With `KEYWAY_SECRET_KEY`, the new key is `--new-key` (or already
 * the first of `KEYWAY_SECRET_KEY="new,old"`, the instances having been started with that ring).
 */
export async function rotateSecret(
  db: string,
  options: { newKey?: string | undefined; env: Record<string, string | undefined> },
): Promise<RotationResult> {
  const keys = resolveSecretKeys(db, options.env);
  if (!keys.box)
    throw new ConfigError("Set KEYWAY_SECRET_KEY to the key the secrets are stored with (and --new-key).");
  const fresh =
    options.newKey !== undefined
      ? parseSecretKey(options.newKey, "--new-key")
      : keys.file
        ? randomBytes(32)
        : undefined;
  const box: SecretBox = fresh ? keys.box.withFirst(fresh) : keys.box;
  const next =
    fresh && !keys.file
      ? 'Start every instance with KEYWAY_SECRET_KEY="<new key>,<old key>" (they open both), then with the new key alone.'
      : undefined;
  if (keys.file && fresh) {
    // The new key is written before anything is sealed with it: a crash in between loses nothing.
    const old = readFileSync(keys.file, "utf8").split("\n").filter(Boolean);
    writeKeyFile(keys.file, [fresh, ...old.map((line) => parseSecretKey(line, keys.file as string))]);
  }
  const store = isPostgresUrl(db)
    ? await PostgresSettingsStore.open(db, () => {})
    : new SqliteSettingsStore(db);
  try {
    let resealed = 0;
    await store.rewrite(
      sealedKinds,
      (doc, id, kind) => {
        resealed++;
        const context = sealContext(kind, id);
        return { ...doc, secret: box.seal(box.open(doc.secret as string, context), context) };
      },
      (count) => ({
        actor: "keyway rotate-secret",
        action: "secrets.rotate",
        target: `${count} secrets → key ${box.keyId}`,
      }),
    );
    return { resealed, keyId: box.keyId, ...(next ? { next } : {}) };
  } finally {
    await store.close();
  }
}
