import type { LogFilters, MetricsGroup } from "./log-store.js";

/** A rollup: sums and latency/TTFT histograms per period and the dimensions it keeps. */
export interface RollupKind {
  table: string;
  /** The period column (periods since the epoch). */
  column: string;
  periodMs: number;
  /** Log columns the cells are keyed by, besides the period. */
  dims: readonly string[];
}

/**
 * The rollups both stores keep beside the logs (one shape; the table and period column named apart for history):
 * per minute and per hour by model, provider and source; per day by customer, so all-time metrics by customer
 * read a few thousand cells instead of every log.
 */
export const rollupKinds = {
  hour: {
    table: "metrics_rollup_hour",
    column: "period",
    periodMs: 3_600_000,
    dims: ["model", "provider_id", "log_source"],
  },
  minute: {
    table: "metrics_rollup",
    column: "minute",
    periodMs: 60_000,
    dims: ["model", "provider_id", "log_source"],
  },
  customerDay: {
    table: "metrics_rollup_customer_day",
    column: "period",
    periodMs: 86_400_000,
    dims: ["customer_identifier"],
  },
} as const satisfies Record<string, RollupKind>;

/** The filter and the grouping each dimension serves. */
const filterDims: Partial<Record<keyof LogFilters, string>> = {
  model: "model",
  provider: "provider_id",
  logSource: "log_source",
  customer: "customer_identifier",
};
export const groupDims: Partial<Record<MetricsGroup, string>> = {
  model: "model",
  provider: "provider_id",
  log_source: "log_source",
  customer: "customer_identifier",
};

/**
 * What of the filters a rollup's own columns express: the periods they span, and the value each filter sets on a
 * dimension the rollup keeps. Filters on anything else are `rollupCovers`'s business.
 */
export function rollupFilter(
  kind: RollupKind,
  filters: LogFilters,
): { fromPeriod?: number; toPeriod?: number; dims: [string, string][] } {
  const dims: [string, string][] = [];
  for (const [key, dim] of Object.entries(filterDims) as [keyof LogFilters, string][]) {
    const value = filters[key];
    if (typeof value === "string" && kind.dims.includes(dim)) dims.push([dim, value]);
  }
  return {
    ...(filters.from !== undefined ? { fromPeriod: Math.floor(filters.from / kind.periodMs) } : {}),
    ...(filters.to !== undefined ? { toPeriod: Math.floor(filters.to / kind.periodMs) } : {}),
    dims,
  };
}

/** Whether a rollup keeps what a query filters and groups on (time aside: see `splitWindow`). */
export function rollupCovers(
  kind: RollupKind,
  filters: LogFilters,
  groupBy: MetricsGroup,
  bucketMs: number,
): boolean {
  for (const [key, value] of Object.entries(filters) as [keyof LogFilters, unknown][]) {
    if (value === undefined || key === "from" || key === "to") continue;
    const dim = filterDims[key];
    if (!dim || !kind.dims.includes(dim)) return false;
  }
  if (groupBy === "time") return bucketMs % kind.periodMs === 0;
  return groupBy === "none" || kind.dims.includes(groupDims[groupBy] ?? "");
}

/**
 * A query window cut at the rollup's period boundaries: the whole periods inside it (`middle`, answered from the
 * rollup) and the partial ones at either end (`edges`, answered from the logs). Numbers are the same either way;
 * an unaligned one-day window reads a day of cells plus two short edges instead of a day of logs.
 */
export function splitWindow(
  kind: RollupKind,
  filters: LogFilters,
): { middle: LogFilters | undefined; edges: LogFilters[] } {
  const period = kind.periodMs;
  const start = filters.from === undefined ? undefined : Math.ceil(filters.from / period) * period;
  const end = filters.to === undefined ? undefined : Math.floor((filters.to + 1) / period) * period - 1;
  if (start !== undefined && end !== undefined && end < start) return { middle: undefined, edges: [filters] };
  const edges: LogFilters[] = [];
  if (start !== undefined && filters.from !== undefined && start > filters.from)
    edges.push({ ...filters, to: start - 1 });
  if (end !== undefined && filters.to !== undefined && end < filters.to)
    edges.push({ ...filters, from: end + 1 });
  const middle: LogFilters = { ...filters };
  if (start !== undefined) middle.from = start;
  if (end !== undefined) middle.to = end;
  return { middle, edges };
}
