import type { LogFilters } from "./log-store.js";
import type { RollupCell } from "./metrics-cells.js";
import { type RollupKind, rollupFilter } from "./rollup-kinds.js";

/** The log columns a rollup counts, as a SELECT list: the time, the given dimensions, the sums and the buckets. */
export const rollupRowColumns = (dims: readonly string[]): string =>
  [
    "ts",
    ...dims,
    "is_error",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost",
    "latency_bucket",
    "ttft_bucket",
  ].join(", ");

/** The log columns a rollup counts. */
export type RollupRow = Record<string, string | number | null> & {
  ts: number;
  is_error: number;
  latency_bucket: number | null;
  ttft_bucket: number | null;
};

/**
 * A count plus a stored count, saturating at 2^53 - 1: past it a double is no longer exact and SQLite's integer
 * would no longer read back as a number. A saturated sum is wrong by design; a throwing one broke every read.
 */
export function sum(count: number, stored: bigint | number | string | null | undefined): number {
  if (typeof stored === "bigint") {
    const total = BigInt(count) + stored;
    return total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total);
  }
  return Math.min(count + Number(stored ?? 0), Number.MAX_SAFE_INTEGER);
}

/** Stored logs counted into the cells of one rollup, before they are merged into its table (either store). */
export class RollupAccumulator {
  readonly #cells = new Map<string, RollupCell>();

  constructor(readonly kind: RollupKind) {}

  add(row: RollupRow): void {
    const period = Math.floor(row.ts / this.kind.periodMs);
    const values = this.kind.dims.map((dim) => String(row[dim] ?? ""));
    const key = `${period}\u0000${values.join("\u0000")}`;
    let cell = this.#cells.get(key);
    if (!cell) {
      cell = {
        start: period * this.kind.periodMs,
        dims: Object.fromEntries(this.kind.dims.map((dim, i) => [dim, values[i] as string])),
        count: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        cost: 0,
        latency: {},
        ttft: {},
      };
      this.#cells.set(key, cell);
    }
    cell.count++;
    cell.errors += row.is_error;
    cell.promptTokens = sum(cell.promptTokens, row.prompt_tokens ?? 0);
    cell.completionTokens = sum(cell.completionTokens, row.completion_tokens ?? 0);
    cell.totalTokens = sum(cell.totalTokens, row.total_tokens ?? 0);
    cell.cost += Number(row.cost ?? 0);
    if (row.latency_bucket !== null)
      cell.latency[row.latency_bucket] = (cell.latency[row.latency_bucket] ?? 0) + 1;
    if (row.ttft_bucket !== null) cell.ttft[row.ttft_bucket] = (cell.ttft[row.ttft_bucket] ?? 0) + 1;
  }

  /** The cells counted so far, in key order (so concurrent writers lock rollup rows in one order), then forgets them. */
  take(): RollupCell[] {
    const cells = [...this.#cells.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, c]) => c);
    this.#cells.clear();
    return cells;
  }

  discard(): void {
    this.#cells.clear();
  }

  /** The cells counted and not yet taken, as they are (for reads that must see them). */
  peek(): Iterable<RollupCell> {
    return this.#cells.values();
  }

  get size(): number {
    return this.#cells.size;
  }
}

/** A rollup filter's clauses on its own columns (`?` placeholders): whole periods, and the dimensions it keeps. */
export function rollupWhere(
  kind: RollupKind,
  filters: LogFilters,
): { sql: string; params: (string | number)[] } {
  const { fromPeriod, toPeriod, dims } = rollupFilter(kind, filters);
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (fromPeriod !== undefined) {
    clauses.push(`${kind.column} >= ?`);
    params.push(fromPeriod);
  }
  if (toPeriod !== undefined) {
    clauses.push(`${kind.column} <= ?`);
    params.push(toPeriod);
  }
  for (const [dim, value] of dims) {
    clauses.push(`${dim} = ?`);
    params.push(value);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/**
 * A stored rollup row as a cell, from either store: SQLite's integers come as BigInt, Postgres's BIGINT as text
 * (both read through the saturating `sum`); SQLite's histograms are JSON text, Postgres's JSONB objects.
 */
export function cellOfStored(kind: RollupKind, row: Record<string, unknown>): RollupCell {
  const count = (value: unknown) =>
    sum(0, typeof value === "string" ? BigInt(value) : (value as bigint | number | null | undefined));
  const histogram = (value: unknown) =>
    (typeof value === "string" ? JSON.parse(value) : value) as Record<string, number>;
  return {
    start: Number(row[kind.column]) * kind.periodMs,
    dims: Object.fromEntries(kind.dims.map((dim) => [dim, String(row[dim])])),
    count: count(row.count),
    errors: count(row.errors),
    promptTokens: count(row.prompt_tokens),
    completionTokens: count(row.completion_tokens),
    totalTokens: count(row.total_tokens),
    cost: Number(row.cost),
    latency: histogram(row.latency_hist),
    ttft: histogram(row.ttft_hist),
  };
}
