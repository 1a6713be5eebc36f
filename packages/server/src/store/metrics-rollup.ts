import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { LogFilters, MetricsGroup } from "./log-store.js";

/** Sums of one (period, model, provider, source) cell, with latency and TTFT histogram counts by bucket. */
export interface RollupCell {
  /** Start of the period, epoch ms. */
  start: number;
  model: string;
  provider: string;
  source: string;
  count: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  latency: Record<string, number>;
  ttft: Record<string, number>;
}

/** The per-minute table (migration 3) and the per-hour one (migration 4): one shape, the period column named apart. */
export const rollupTables = {
  minute: { table: "metrics_rollup", column: "minute", periodMs: 60_000 },
  hour: { table: "metrics_rollup_hour", column: "period", periodMs: 3_600_000 },
} as const;
export type RollupLevel = keyof typeof rollupTables;

export const HOURLY_ROLLUP_TABLE = `CREATE TABLE metrics_rollup_hour (
  period INTEGER NOT NULL, model TEXT NOT NULL, provider_id TEXT NOT NULL, log_source TEXT NOT NULL,
  count INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL, cost REAL NOT NULL, latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
  PRIMARY KEY (period, model, provider_id, log_source)
) WITHOUT ROWID`;

export const ROLLUP_TABLE = `CREATE TABLE metrics_rollup (
  minute INTEGER NOT NULL, model TEXT NOT NULL, provider_id TEXT NOT NULL, log_source TEXT NOT NULL,
  count INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL, cost REAL NOT NULL, latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
  PRIMARY KEY (minute, model, provider_id, log_source)
) WITHOUT ROWID`;

interface RollupRow {
  ts: number;
  model: string | null;
  provider_id: string | null;
  log_source: string | null;
  is_error: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
  latency_bucket: number | null;
  ttft_bucket: number | null;
}

/**
 * Sums by period (a minute or an hour), model, provider and source, kept beside the logs so all-time metrics read
 * thousands of cells instead of millions of rows. Metrics that filter or group by anything else (customer,
 * thread, status, text) read the logs themselves.
 */
export class MetricsRollup {
  #pending = new Map<string, RollupCell>();
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #table: string;
  readonly #column: string;
  readonly periodMs: number;

  constructor(
    private readonly db: DatabaseSync,
    level: RollupLevel = "minute",
  ) {
    const { table, column, periodMs } = rollupTables[level];
    this.#table = table;
    this.#column = column;
    this.periodMs = periodMs;
    this.#select = db.prepare(
      `SELECT * FROM ${table} WHERE ${column} = ? AND model = ? AND provider_id = ? AND log_source = ?`,
    );
    // Sums written before they were bounded may exceed 2^53: read as BigInt, never as a throw.
    this.#select.setReadBigInts(true);
    this.#upsert = db.prepare(`INSERT OR REPLACE INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Counts one stored log; written by `flush()` inside the same transaction. */
  add(row: RollupRow): void {
    const period = Math.floor(row.ts / this.periodMs);
    const model = row.model ?? "";
    const provider = row.provider_id ?? "";
    const source = row.log_source ?? "";
    const key = `${period}\u0000${model}\u0000${provider}\u0000${source}`;
    let cell = this.#pending.get(key);
    if (!cell) {
      cell = {
        start: period * this.periodMs,
        model,
        provider,
        source,
        count: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        cost: 0,
        latency: {},
        ttft: {},
      };
      this.#pending.set(key, cell);
    }
    cell.count++;
    cell.errors += row.is_error;
    cell.promptTokens = sum(cell.promptTokens, row.prompt_tokens ?? 0);
    cell.completionTokens = sum(cell.completionTokens, row.completion_tokens ?? 0);
    cell.totalTokens = sum(cell.totalTokens, row.total_tokens ?? 0);
    cell.cost += row.cost ?? 0;
    if (row.latency_bucket !== null)
      cell.latency[row.latency_bucket] = (cell.latency[row.latency_bucket] ?? 0) + 1;
    if (row.ttft_bucket !== null) cell.ttft[row.ttft_bucket] = (cell.ttft[row.ttft_bucket] ?? 0) + 1;
  }

  /** Merges the pending cells into the table (call inside the write transaction). */
  flush(): void {
    for (const cell of this.#pending.values()) {
      const period = cell.start / this.periodMs;
      const old = this.#select.get(period, cell.model, cell.provider, cell.source) as
        | Record<string, bigint | number | string>
        | undefined;
      const latency = old ? merge(JSON.parse(String(old.latency_hist)), cell.latency) : cell.latency;
      const ttft = old ? merge(JSON.parse(String(old.ttft_hist)), cell.ttft) : cell.ttft;
      this.#upsert.run(
        period,
        cell.model,
        cell.provider,
        cell.source,
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
    this.#pending.clear();
  }

  discard(): void {
    this.#pending.clear();
  }

  /** Rebuilds the table from the logs (the migration that introduces it, or a repair). */
  rebuild(): void {
    this.db.exec(`DELETE FROM ${this.#table}`);
    const rows = this.db
      .prepare(
        "SELECT ts, model, provider_id, log_source, is_error, prompt_tokens, completion_tokens, total_tokens, cost, latency_bucket, ttft_bucket FROM logs",
      )
      .iterate() as Iterable<RollupRow>;
    for (const row of rows) this.add(row);
    this.flush();
  }

  /**
   * Whether this rollup answers a metrics query: filters only on period-aligned time (`to` inclusive, so it must
   * be the last millisecond of a period), model, provider and source; no customer grouping; time buckets that are
   * whole periods.
   */
  answers(filters: LogFilters, groupBy: MetricsGroup, bucketMs: number): boolean {
    const allowed = new Set(["from", "to", "model", "provider", "logSource"]);
    if (Object.entries(filters).some(([key, value]) => value !== undefined && !allowed.has(key)))
      return false;
    if (groupBy === "customer") return false;
    if (filters.from !== undefined && filters.from % this.periodMs !== 0) return false;
    if (filters.to !== undefined && (filters.to + 1) % this.periodMs !== 0) return false;
    return groupBy !== "time" || bucketMs % this.periodMs === 0;
  }

  /** The cells matching the filters. */
  cells(filters: LogFilters): RollupCell[] {
    const clauses: string[] = [];
    const params: SQLInputValue[] = [];
    if (filters.from !== undefined) {
      clauses.push(`${this.#column} >= ?`);
      params.push(Math.floor(filters.from / this.periodMs));
    }
    if (filters.to !== undefined) {
      clauses.push(`${this.#column} <= ?`);
      params.push(Math.floor(filters.to / this.periodMs));
    }
    for (const [name, value] of [
      ["model", filters.model],
      ["provider_id", filters.provider],
      ["log_source", filters.logSource],
    ] as const) {
      if (value === undefined) continue;
      clauses.push(`${name} = ?`);
      params.push(value);
    }
    const statement = this.db.prepare(
      `SELECT * FROM ${this.#table} ${clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : ""}`,
    );
    statement.setReadBigInts(true);
    const rows = statement.all(...params) as Record<string, bigint | number | string>[];
    return rows.map((row) => ({
      start: Number(row[this.#column]) * this.periodMs,
      model: String(row.model),
      provider: String(row.provider_id),
      source: String(row.log_source),
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

/**
 * A count plus a stored count, saturating at 2^53 - 1: past it a double is no longer exact and SQLite's integer
 * would no longer read back as a number. A saturated sum is wrong by design; a throwing one broke every read.
 */
function sum(count: number, stored: bigint | number | string | undefined): number {
  if (typeof stored === "bigint") {
    const total = BigInt(count) + stored;
    return total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total);
  }
  return Math.min(count + Number(stored ?? 0), Number.MAX_SAFE_INTEGER);
}

function merge(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [bucket, count] of Object.entries(from)) into[bucket] = (into[bucket] ?? 0) + count;
  return into;
}
