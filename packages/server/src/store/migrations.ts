import type { DatabaseSync } from "node:sqlite";
import { MetricsRollup, rollupTableSql } from "./metrics-rollup.js";
import { type RollupKind, rollupKinds } from "./rollup-kinds.js";
import { SqliteTraces } from "./sqlite-traces.js";
import { tracesTableSql } from "./trace-summary.js";

const addRollup = (kind: RollupKind) => (db: DatabaseSync) => {
  db.exec(rollupTableSql(kind));
  new MetricsRollup(db, kind).rebuild();
};

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append, never edit. */
export const migrations: readonly (string | ((db: DatabaseSync) => void))[] = [
  `CREATE TABLE logs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     unique_id TEXT NOT NULL UNIQUE,
     ts INTEGER NOT NULL,
     model TEXT,
     provider_id TEXT,
     customer_identifier TEXT,
     status_code INTEGER NOT NULL,
     is_error INTEGER NOT NULL,
     thread_identifier TEXT,
     trace_unique_id TEXT,
     log_source TEXT,
     log_type TEXT,
     prompt_tokens INTEGER,
     completion_tokens INTEGER,
     total_tokens INTEGER,
     cost REAL,
     latency REAL,
     ttft REAL,
     latency_bucket INTEGER,
     ttft_bucket INTEGER,
     search_text TEXT,
     body TEXT NOT NULL
   );
   CREATE INDEX logs_ts ON logs (ts);
   CREATE INDEX logs_customer ON logs (customer_identifier, ts);
   CREATE INDEX logs_model ON logs (model, ts);
   CREATE INDEX logs_provider ON logs (provider_id, ts);
   CREATE INDEX logs_status ON logs (status_code, ts);
   CREATE INDEX logs_thread ON logs (thread_identifier) WHERE thread_identifier IS NOT NULL;
   CREATE INDEX logs_trace ON logs (trace_unique_id) WHERE trace_unique_id IS NOT NULL;`,
  // A covering index for the metrics: scanning it reads ~60 bytes a log instead of the whole stored body.
  `CREATE INDEX logs_metrics ON logs (ts, model, provider_id, customer_identifier, log_source, is_error,
     prompt_tokens, completion_tokens, total_tokens, cost, latency_bucket, ttft_bucket);`,
  // Per-minute metrics by model, provider and source, built from the logs already stored.
  addRollup(rollupKinds.minute),
  // The same per hour: all-time metrics read ~60× fewer cells.
  addRollup(rollupKinds.hour),
  // Per day by customer: all-time metrics by customer from a few thousand cells.
  addRollup(rollupKinds.customerDay),
  // One row per trace (the trace list, newest first), built from the spans already stored.
  (db) => {
    db.exec(tracesTableSql("INTEGER", "REAL"));
    new SqliteTraces(db).rebuild();
  },
  // The rollups are written behind the logs (`SqliteRollups`): the last log they cover. Up to date here.
  `CREATE TABLE rollup_watermark (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
   INSERT INTO rollup_watermark SELECT 1, COALESCE(MAX(seq), 0) FROM logs;`,
];

export function migrate(db: DatabaseSync): number {
  const { user_version: version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
  for (let index = version; index < migrations.length; index++) {
    db.exec("BEGIN");
    try {
      const migration = migrations[index] as string | ((db: DatabaseSync) => void);
      if (typeof migration === "string") db.exec(migration);
      else migration(db);
      db.exec(`PRAGMA user_version = ${index + 1}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  return migrations.length;
}
