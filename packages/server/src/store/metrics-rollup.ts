import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { LogFilters } from "./log-store.js";
import type { RollupCell } from "./metrics-cells.js";
import { RollupAccumulator, type RollupRow, rollupWhere, sum } from "./rollup-accumulator.js";
import type { RollupKind } from "./rollup-kinds.js";

/** A rollup's table in SQLite: the period, the dimensions, the sums and the two histograms (JSON). */
export const rollupTableSql = (kind: RollupKind): string => `CREATE TABLE ${kind.table} (
  ${kind.column} INTEGER NOT NULL, ${kind.dims.map((dim) => `${dim} TEXT NOT NULL`).join(", ")},
  count INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL, cost REAL NOT NULL, latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
  PRIMARY KEY (${kind.column}, ${kind.dims.join(", ")})
) WITHOUT ROWID`;

/**
 * One rollup kept in SQLite beside the logs (see `rollupKinds`), so all-time metrics read thousands of cells
 * instead of millions of rows. Counted in the write transaction of the logs it counts.
 */
export class MetricsRollup {
  readonly #pending: RollupAccumulator;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;

  constructor(
    private readonly db: DatabaseSync,
    readonly kind: RollupKind,
  ) {
    const { table, column, dims } = kind;
    this.#pending = new RollupAccumulator(kind);
    this.#select = db.prepare(
      `SELECT * FROM ${table} WHERE ${column} = ? AND ${dims.map((dim) => `${dim} = ?`).join(" AND ")}`,
    );
    // Sums written before they were bounded may exceed 2^53: read as BigInt, never as a throw.
    this.#select.setReadBigInts(true);
    this.#upsert = db.prepare(
      `INSERT OR REPLACE INTO ${table} VALUES (${Array.from({ length: dims.length + 9 }, () => "?").join(", ")})`,
    );
  }

  /** Counts one stored log; written by `flush()` inside the same transaction. */
  add(row: RollupRow): void {
    this.#pending.add(row);
  }

  /** Merges the pending cells into the table (call inside the write transaction). */
  flush(): void {
    for (const cell of this.#pending.take()) {
      const period = cell.start / this.kind.periodMs;
      const dims = this.kind.dims.map((dim) => cell.dims[dim] as string);
      const old = this.#select.get(period, ...dims) as Record<string, bigint | number | string> | undefined;
      const latency = old ? merge(JSON.parse(String(old.latency_hist)), cell.latency) : cell.latency;
      const ttft = old ? merge(JSON.parse(String(old.ttft_hist)), cell.ttft) : cell.ttft;
      this.#upsert.run(
        period,
        ...dims,
        sum(cell.count, old?.count),
        sum(cell.errors, old?.errors),
        sum(cell.promptTokens, old?.prompt_tokens),
        sum(cell.completionTokens, old?.completion_tokens),
        sum(cell.totalTokens, old?.total_tokens),
        cell.cost + Number(old?.cost ?? 0),
        JSON.stringify(latency),
        JSON.stringify(ttft),
      );
    }
  }

  discard(): void {
    this.#pending.discard();
  }

  /** Rebuilds the table from the logs (the migration that introduces it, or a repair). */
  rebuild(): void {
    this.db.exec(`DELETE FROM ${this.kind.table}`);
    const rows = this.db
      .prepare(
        `SELECT ts, ${this.kind.dims.join(", ")}, is_error, prompt_tokens, completion_tokens, total_tokens, cost, latency_bucket, ttft_bucket FROM logs`,
      )
      .iterate() as Iterable<RollupRow>;
    for (const row of rows) this.add(row);
    this.flush();
  }

  /** The cells of the whole periods in the filters' window, matching their dimensions. */
  cells(filters: LogFilters): RollupCell[] {
    const { table, column, periodMs, dims } = this.kind;
    const { sql, params } = rollupWhere(this.kind, filters);
    const statement = this.db.prepare(`SELECT * FROM ${table} ${sql}`);
    statement.setReadBigInts(true);
    const rows = statement.all(...params) as Record<string, bigint | number | string>[];
    return rows.map((row) => ({
      start: Number(row[column]) * periodMs,
      dims: Object.fromEntries(dims.map((dim) => [dim, String(row[dim])])),
      count: sum(0, row.count),
      errors: sum(0, row.errors),
      promptTokens: sum(0, row.prompt_tokens),
      completionTokens: sum(0, row.completion_tokens),
      totalTokens: sum(0, row.total_tokens),
      cost: Number(row.cost),
      latency: JSON.parse(String(row.latency_hist)),
      ttft: JSON.parse(String(row.ttft_hist)),
    }));
  }
}

function merge(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [bucket, count] of Object.entries(from)) into[bucket] = (into[bucket] ?? 0) + count;
  return into;
}
