import type pg from "pg";
import { rebuildTraces } from "./postgres-traces.js";
import { inTransaction } from "./postgres-transaction.js";
import { type RollupKind, rollupKinds } from "./rollup-kinds.js";
import { tracesTableSql } from "./trace-summary.js";

/** A rollup's table in Postgres: as in SQLite, the histograms as JSONB so a merge can run in the upsert. */
const rollupTable = (kind: RollupKind) => `CREATE TABLE ${kind.table} (
  ${kind.column} BIGINT NOT NULL, ${kind.dims.map((dim) => `${dim} TEXT NOT NULL`).join(", ")},
  count BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
  total_tokens BIGINT NOT NULL, cost DOUBLE PRECISION NOT NULL, latency_hist JSONB NOT NULL, ttft_hist JSONB NOT NULL,
  PRIMARY KEY (${kind.column}, ${kind.dims.join(", ")})
)`;

/** The rollup rebuilt from the logs already stored, in one statement (histograms as bucket → count objects). */
function rebuildRollup(kind: RollupKind): string {
  const dims = kind.dims.join(", ");
  const dimValues = kind.dims.map((dim) => `COALESCE(${dim}, '') AS ${dim}`).join(", ");
  const histogram = (
    bucket: string,
  ) => `SELECT ${kind.column}, ${dims}, jsonb_object_agg(${bucket}::text, n) AS h
      FROM (SELECT ${kind.column}, ${dims}, ${bucket}, COUNT(*) AS n FROM base WHERE ${bucket} IS NOT NULL
            GROUP BY ${kind.column}, ${dims}, ${bucket}) b GROUP BY ${kind.column}, ${dims}`;
  return `WITH base AS (
      SELECT (ts / ${kind.periodMs}) AS ${kind.column}, ${dimValues}, is_error, prompt_tokens, completion_tokens,
             total_tokens, cost, latency_bucket, ttft_bucket FROM logs),
    sums AS (SELECT ${kind.column}, ${dims}, COUNT(*) AS count, SUM(is_error) AS errors,
             COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens,
             COALESCE(SUM(total_tokens), 0) AS total_tokens, COALESCE(SUM(cost), 0) AS cost
             FROM base GROUP BY ${kind.column}, ${dims}),
    lat AS (${histogram("latency_bucket")}),
    ttf AS (${histogram("ttft_bucket")})
    INSERT INTO ${kind.table}
    SELECT s.${kind.column}, ${kind.dims.map((dim) => `s.${dim}`).join(", ")}, s.count, s.errors, s.prompt_tokens,
           s.completion_tokens, s.total_tokens, s.cost, COALESCE(lat.h, '{}'), COALESCE(ttf.h, '{}')
    FROM sums s LEFT JOIN lat USING (${kind.column}, ${dims}) LEFT JOIN ttf USING (${kind.column}, ${dims})`;
}

type Migration = string | ((client: pg.PoolClient) => Promise<void>);

/** Schema migrations, applied in order; `keyway_migrations` records each. Append, never edit. */
export const postgresMigrations: readonly Migration[] = [
  `CREATE TABLE logs (
     seq BIGSERIAL PRIMARY KEY,
     unique_id TEXT NOT NULL UNIQUE,
     ts BIGINT NOT NULL,
     model TEXT, provider_id TEXT, customer_identifier TEXT,
     status_code INTEGER NOT NULL, is_error SMALLINT NOT NULL,
     thread_identifier TEXT, trace_unique_id TEXT, log_source TEXT, log_type TEXT,
     prompt_tokens BIGINT, completion_tokens BIGINT, total_tokens BIGINT,
     cost DOUBLE PRECISION, latency DOUBLE PRECISION, ttft DOUBLE PRECISION,
     latency_bucket INTEGER, ttft_bucket INTEGER,
     search_text TEXT, body TEXT NOT NULL
   );
   CREATE INDEX logs_ts ON logs (ts, seq);
   CREATE INDEX logs_customer ON logs (customer_identifier, ts);
   CREATE INDEX logs_model ON logs (model, ts);
   CREATE INDEX logs_provider ON logs (provider_id, ts);
   CREATE INDEX logs_status ON logs (status_code, ts);
   CREATE INDEX logs_thread ON logs (thread_identifier) WHERE thread_identifier IS NOT NULL;
   CREATE INDEX logs_trace ON logs (trace_unique_id) WHERE trace_unique_id IS NOT NULL;`,
  // Histogram merge for the rollup upserts: bucket counts added key by key.
  `CREATE FUNCTION keyway_hist_merge(a JSONB, b JSONB) RETURNS JSONB LANGUAGE sql IMMUTABLE AS $$
     SELECT COALESCE(jsonb_object_agg(key, total), '{}'::jsonb)
     FROM (SELECT key, SUM(value::bigint) AS total
           FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) e GROUP BY key) s
   $$;
   ${rollupTable(rollupKinds.minute)}; ${rebuildRollup(rollupKinds.minute)};
   ${rollupTable(rollupKinds.hour)}; ${rebuildRollup(rollupKinds.hour)};`,
  // Per day by customer: all-time metrics by customer from a few thousand cells.
  `${rollupTable(rollupKinds.customerDay)}; ${rebuildRollup(rollupKinds.customerDay)};`,
  // One row per trace (the trace list, newest first), built from the spans already stored.
  async (client) => {
    await client.query(tracesTableSql("BIGINT", "DOUBLE PRECISION"));
    await rebuildTraces(client);
  },
  // The histogram merge as a loop over the batch's few buckets: the SQL version aggregated both histograms on every
  // upsert and was most of a write's time.
  `CREATE OR REPLACE FUNCTION keyway_hist_merge(a JSONB, b JSONB) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
   DECLARE
     bucket TEXT;
     n TEXT;
   BEGIN
     FOR bucket, n IN SELECT * FROM jsonb_each_text(b) LOOP
       a := jsonb_set(a, ARRAY[bucket], to_jsonb(COALESCE((a ->> bucket)::BIGINT, 0) + n::BIGINT));
     END LOOP;
     RETURN a;
   END
   $$;`,
];

/** Any 64-bit number, the same for every Keyway instance: the advisory lock migrations are applied under. */
const MIGRATION_LOCK = 7_243_907_127;

/**
 * Applies the migrations not yet applied, up to `upTo` (all by default), in one transaction under an advisory
 * lock: several instances starting at once apply each exactly once (the others wait, then find nothing to do).
 */
export async function migratePostgres(pool: pg.Pool, upTo = postgresMigrations.length): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS keyway_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ version: number }>(
      "SELECT COALESCE(MAX(version), 0) AS version FROM keyway_migrations",
    );
    const from = Number(rows[0]?.version ?? 0);
    for (let index = from; index < upTo; index++) {
      const migration = postgresMigrations[index] as Migration;
      if (typeof migration === "string") await client.query(migration);
      else await migration(client);
      await client.query("INSERT INTO keyway_migrations (version) VALUES ($1)", [index + 1]);
    }
    return Math.max(from, upTo);
  });
}
