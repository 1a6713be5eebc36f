import type pg from "pg";
import { numbered } from "./log-query.js";
import type { LogFilters } from "./log-store.js";
import type { RollupCell } from "./metrics-cells.js";
import { pgValue } from "./postgres-value.js";
import { cellOfStored, rollupWhere } from "./rollup-accumulator.js";
import type { RollupKind } from "./rollup-kinds.js";

/**
 * Merges counted cells into a rollup table in one statement, inside the transaction of the logs they count:
 * concurrent instances add to the same cell without losing counts (the upsert adds sums and merges histograms in
 * the database), and cells come in key order so two writers lock them in the same order.
 */
export async function upsertCells(
  client: pg.PoolClient,
  kind: RollupKind,
  cells: RollupCell[],
): Promise<void> {
  // Postgres takes at most 65,535 parameters a statement.
  for (let start = 0; start < cells.length; start += 2_000)
    await upsertChunk(client, kind, cells.slice(start, start + 2_000));
}

async function upsertChunk(client: pg.PoolClient, kind: RollupKind, cells: RollupCell[]): Promise<void> {
  if (cells.length === 0) return;
  const { table, column, dims } = kind;
  const width = dims.length + 9;
  const params: unknown[] = [];
  const rows = cells.map((cell, index) => {
    params.push(
      cell.start / kind.periodMs,
      ...dims.map((dim) => pgValue(cell.dims[dim])),
      cell.count,
      cell.errors,
      cell.promptTokens,
      cell.completionTokens,
      cell.totalTokens,
      cell.cost,
      JSON.stringify(cell.latency),
      JSON.stringify(cell.ttft),
    );
    return `(${Array.from({ length: width }, (_, i) => `$${index * width + i + 1}`).join(", ")})`;
  });
  const add = (name: string) => `${name} = ${table}.${name} + EXCLUDED.${name}`;
  const merge = (name: string) => `${name} = keyway_hist_merge(${table}.${name}, EXCLUDED.${name})`;
  await client.query(
    `INSERT INTO ${table} VALUES ${rows.join(", ")}
     ON CONFLICT (${column}, ${dims.join(", ")}) DO UPDATE SET
       ${["count", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "cost"].map(add).join(", ")},
       ${merge("latency_hist")}, ${merge("ttft_hist")}`,
    params,
  );
}

/** The cells of the whole periods in the filters' window, matching the dimensions the rollup keeps. */
export async function readCells(pool: pg.Pool, kind: RollupKind, filters: LogFilters): Promise<RollupCell[]> {
  const { sql, params } = rollupWhere(kind, filters);
  const { rows } = await pool.query<Record<string, unknown>>(
    numbered(`SELECT * FROM ${kind.table} ${sql}`),
    params,
  );
  return rows.map((row) => cellOfStored(kind, row));
}
