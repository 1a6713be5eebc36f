import { percentilesOf } from "./histogram.js";
import type { LogFilters, MetricsGroup, MetricsRow } from "./log-store.js";
import { groupDims, type RollupKind, rollupCovers, splitWindow } from "./rollup-kinds.js";

/** Sums of one (period, dimensions) rollup cell, with latency and TTFT histogram counts by bucket. */
export interface RollupCell {
  /** Start of the period, epoch ms. */
  start: number;
  /** The cell's dimension values by column (`""` for none). */
  dims: Record<string, string>;
  count: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  latency: Record<string, number>;
  ttft: Record<string, number>;
}

/** What one rollup cell or one group of log rows adds to a metrics group. */
export interface Cell {
  key: string | number | null;
  count: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  latency: [number, number][];
  ttft: [number, number][];
}

/** A row of the logs-side metrics query (`logMetricsSql`). */
export interface LogMetricsRow {
  key: string | number | null;
  lb: number | null;
  tb: number | null;
  n: number | string;
  errors: number | string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
}

/** Metrics read from the logs themselves: one row per (key, latency bucket, TTFT bucket). */
export function logMetricsSql(
  groupBy: MetricsGroup,
  bucketMs: number,
  where: string,
  total: (column: string) => string,
): string {
  const keyExpr =
    groupBy === "time"
      ? `(ts / ${bucketMs}) * ${bucketMs}`
      : groupBy === "none"
        ? "NULL"
        : (groupDims[groupBy] as string);
  return `SELECT ${keyExpr} AS key, latency_bucket AS lb, ttft_bucket AS tb, COUNT(*) AS n, SUM(is_error) AS errors,
            ${total("prompt_tokens")} AS prompt_tokens, ${total("completion_tokens")} AS completion_tokens,
            ${total("total_tokens")} AS total_tokens, ${total("cost")} AS cost
     FROM logs ${where} GROUP BY 1, 2, 3`;
}

export function cellOfLogRow(row: LogMetricsRow): Cell {
  const n = Number(row.n);
  return {
    key: typeof row.key === "string" || row.key === null ? row.key : Number(row.key),
    count: n,
    errors: Number(row.errors ?? 0),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    total_tokens: Number(row.total_tokens),
    cost: Number(row.cost),
    latency: row.lb === null ? [] : [[Number(row.lb), n]],
    ttft: row.tb === null ? [] : [[Number(row.tb), n]],
  };
}

export function cellOfRollup(cell: RollupCell, groupBy: MetricsGroup, bucketMs: number): Cell {
  const dim = groupDims[groupBy];
  const key =
    groupBy === "time" ? Math.floor(cell.start / bucketMs) * bucketMs : dim ? cell.dims[dim] || null : null;
  const entries = (histogram: Record<string, number>) =>
    Object.entries(histogram).map(([bucket, n]) => [Number(bucket), Number(n)] as [number, number]);
  return {
    key,
    count: cell.count,
    errors: cell.errors,
    prompt_tokens: cell.promptTokens,
    completion_tokens: cell.completionTokens,
    total_tokens: cell.totalTokens,
    cost: cell.cost,
    latency: entries(cell.latency),
    ttft: entries(cell.ttft),
  };
}

/** Sums and histograms of one metrics group. */
class Group {
  count = 0;
  errors = 0;
  promptTokens = 0;
  completionTokens = 0;
  totalTokens = 0;
  cost = 0;
  readonly latency = new Map<number, number>();
  readonly ttft = new Map<number, number>();

  constructor(readonly key: string | number | null) {}

  add(cell: Cell): void {
    this.count += cell.count;
    this.errors += cell.errors;
    this.promptTokens += cell.prompt_tokens;
    this.completionTokens += cell.completion_tokens;
    this.totalTokens += cell.total_tokens;
    this.cost += cell.cost;
    for (const [bucket, n] of cell.latency) this.latency.set(bucket, (this.latency.get(bucket) ?? 0) + n);
    for (const [bucket, n] of cell.ttft) this.ttft.set(bucket, (this.ttft.get(bucket) ?? 0) + n);
  }

  row(): MetricsRow {
    return {
      key: this.key,
      count: this.count,
      errors: this.errors,
      error_rate: this.count > 0 ? this.errors / this.count : 0,
      prompt_tokens: this.promptTokens,
      completion_tokens: this.completionTokens,
      total_tokens: this.totalTokens,
      cost: Math.round(this.cost * 1e9) / 1e9,
      latency: percentilesOf(this.latency),
      ttft: percentilesOf(this.ttft),
    };
  }
}

/** The summary and the groups (by count, or by time) of a metrics query's cells, whichever store read them. */
export function summarize(
  cells: Iterable<Cell>,
  groupBy: MetricsGroup,
): { summary: MetricsRow; groups: MetricsRow[] } {
  const summary = new Group(null);
  const groups = new Map<string | number | null, Group>();
  for (const cell of cells) {
    summary.add(cell);
    if (groupBy === "none") continue;
    let group = groups.get(cell.key);
    if (!group) {
      group = new Group(cell.key);
      groups.set(cell.key, group);
    }
    group.add(cell);
  }
  const rows = [...groups.values()].map((group) => group.row());
  if (groupBy === "time") rows.sort((a, b) => Number(a.key) - Number(b.key));
  else rows.sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
  return { summary: summary.row(), groups: rows };
}

/** How a store reads the two sources of metrics. */
export interface MetricsSources {
  rollup(kind: RollupKind, filters: LogFilters): Promise<RollupCell[]>;
  logs(filters: LogFilters, groupBy: MetricsGroup, bucketMs: number): Promise<Cell[]>;
}

/**
 * A metrics query on either store: the first rollup that keeps what the query filters and groups on answers the
 * whole periods of its window, the logs answer the rest (or everything, when no rollup keeps it).
 */
export async function metricsOf(
  kinds: readonly RollupKind[],
  sources: MetricsSources,
  filters: LogFilters,
  groupBy: MetricsGroup,
  bucketMs: number,
): Promise<{ summary: MetricsRow; groups: MetricsRow[] }> {
  const kind = kinds.find((candidate) => rollupCovers(candidate, filters, groupBy, bucketMs));
  if (!kind) return summarize(await sources.logs(filters, groupBy, bucketMs), groupBy);
  const { middle, edges } = splitWindow(kind, filters);
  const parts = await Promise.all([
    middle
      ? sources
          .rollup(kind, middle)
          .then((cells) => cells.map((cell) => cellOfRollup(cell, groupBy, bucketMs)))
      : [],
    ...edges.map((edge) => sources.logs(edge, groupBy, bucketMs)),
  ]);
  return summarize(parts.flat(), groupBy);
}
