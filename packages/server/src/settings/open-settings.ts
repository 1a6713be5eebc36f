import { readEnv } from "@keyway/core";
import { resolveSecretKeys } from "../secrets/master-key.js";
import { isPostgresUrl } from "../store/db-url.js";
import { LiveSettings } from "./live-settings.js";
import { PostgresSettingsStore } from "./postgres-settings-store.js";
import { SqliteSettingsStore } from "./sqlite-settings-store.js";

/**
 * The managed settings of the database `db` names (SQLite file or Postgres URL), with the key ring of their
 * secrets. Stored secrets the key cannot open are a start-up error (`SecretKeyError`), never garbage keys.
 */
export async function openSettings(
  db: string,
  options: { secretKey?: string | undefined; pollMs?: number | undefined; onError: (error: unknown) => void },
): Promise<LiveSettings> {
  const env = { KEYWAY_SECRET_KEY: options.secretKey ?? readEnv("KEYWAY_SECRET_KEY", process.env) };
  const keys = resolveSecretKeys(db, env);
  const store = isPostgresUrl(db)
    ? await PostgresSettingsStore.open(db, options.onError)
    : new SqliteSettingsStore(db);
  try {
    return await LiveSettings.open(store, keys, options.onError, options.pollMs);
  } catch (error) {
    await store.close();
    throw error;
  }
}
