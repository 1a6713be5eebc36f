import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { inTransaction } from "./postgres-transaction.js";

/**
 * A second connection to the logs' SQLite file for the tables kept beside them (settings, alerts): WAL lets
 * both write, and a writer that finds the file busy waits instead of failing.
 */
export function openSqliteSide(path: string, schema: string): DatabaseSync {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
  db.exec(schema);
  return db;
}

/**
 * A small pool on the logs' Postgres for the tables kept beside them, their schema created once: instances
 * starting together take an advisory lock named `lock`, one creates the tables and the others wait for it.
 */
export async function openPostgresSide(
  url: string,
  options: { max: number; lock: string; schema: string; onError: (error: unknown) => void },
): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: options.max, connectionTimeoutMillis: 5_000 });
  pool.on("error", options.onError);
  try {
    await inTransaction(pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [options.lock]);
      await client.query(options.schema);
    });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return pool;
}
