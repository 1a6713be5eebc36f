import { isPostgresUrl } from "../store/db-url.js";
import type { AlertStore } from "./alert-store.js";
import { PostgresAlertStore } from "./postgres-alert-store.js";
import { SqliteAlertStore } from "./sqlite-alert-store.js";

/** The alert state of the database `db` names: in the same SQLite file or Postgres database as the logs. */
export async function openAlertStore(db: string, onError: (error: unknown) => void): Promise<AlertStore> {
  return isPostgresUrl(db) ? PostgresAlertStore.open(db, onError) : new SqliteAlertStore(db);
}
