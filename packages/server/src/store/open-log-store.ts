import { isPostgresUrl } from "./db-url.js";
import type { LogStore } from "./log-store.js";
import { PostgresLogStore } from "./postgres-log-store.js";
import { SqliteLogStore } from "./sqlite-log-store.js";

/** The store `--db` names: a `postgres://` URL opens (and migrates) Postgres; anything else is a SQLite file. */
export async function openLogStore(
  db: string,
  options: { queryTimeoutMs?: number | undefined; onError?: (error: unknown) => void } = {},
): Promise<LogStore> {
  const timeout = options.queryTimeoutMs !== undefined ? { queryTimeoutMs: options.queryTimeoutMs } : {};
  if (isPostgresUrl(db))
    return PostgresLogStore.open(db, {
      ...timeout,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  return new SqliteLogStore(db, { ...timeout, ...(options.onError ? { onError: options.onError } : {}) });
}
