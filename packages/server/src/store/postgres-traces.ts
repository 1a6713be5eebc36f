import type { RequestLog } from "@keyway/core";
import type pg from "pg";
import type { SqlValue } from "./log-query.js";
import { pgValue } from "./postgres-value.js";
import { TraceAccumulator, type TraceSummary, traceColumns } from "./trace-summary.js";

/**
 * Merges trace summaries into the traces table in one statement, inside the transaction of the spans they count:
 * instances adding spans of one trace at once add up (the database merges), in id order so they never deadlock.
 */
export async function upsertTraces(client: pg.PoolClient, summaries: TraceSummary[]): Promise<void> {
  for (let start = 0; start < summaries.length; start += 5_000) {
    const chunk = summaries.slice(start, start + 5_000);
    if (chunk.length === 0) return;
    const width = traceColumns.length;
    const values = chunk.map(
      (_, i) => `(${traceColumns.map((__, c) => `$${i * width + c + 1}`).join(", ")})`,
    );
    const add = (name: string) => `${name} = traces.${name} + EXCLUDED.${name}`;
    await client.query(
      `INSERT INTO traces VALUES ${values.join(", ")}
       ON CONFLICT (trace_unique_id) DO UPDATE SET
         start_ms = LEAST(traces.start_ms, EXCLUDED.start_ms), end_ms = GREATEST(traces.end_ms, EXCLUDED.end_ms),
         ${["spans", "model_calls", "total_tokens", "cost", "errors"].map(add).join(", ")},
         customer_identifier = COALESCE(traces.customer_identifier, EXCLUDED.customer_identifier),
         root_name = COALESCE(EXCLUDED.root_name, traces.root_name)`,
      chunk.flatMap((summary) => traceColumns.map((column) => pgValue(summary[column]))),
    );
  }
}

/** Rebuilds the traces table from the stored spans, a page at a time (the migration that introduces it). */
export async function rebuildTraces(client: pg.PoolClient): Promise<void> {
  await client.query("DELETE FROM traces");
  const traces = new TraceAccumulator();
  let after = "0";
  for (;;) {
    const { rows } = await client.query<Record<string, SqlValue>>(
      `SELECT seq, body, ts, trace_unique_id, total_tokens, cost, is_error, customer_identifier FROM logs
       WHERE trace_unique_id IS NOT NULL AND seq > $1 ORDER BY seq LIMIT 5000`,
      [after],
    );
    if (rows.length === 0) break;
    for (const row of rows) traces.add(JSON.parse(String(row.body)) as RequestLog, row);
    after = String(rows[rows.length - 1]?.seq);
  }
  await upsertTraces(client, traces.take());
}
