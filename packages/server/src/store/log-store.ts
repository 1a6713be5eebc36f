import type { RequestLog } from "@keyway/core";
import type { TraceFilters, TraceSummary } from "./trace-summary.js";

/** Filters shared by the log list and the metrics. Times are epoch milliseconds. */
export interface LogFilters {
  from?: number;
  to?: number;
  customer?: string;
  model?: string;
  provider?: string;
  /** An exact status code, or `error` / `success`. */
  status?: string;
  thread?: string;
  trace?: string;
  logSource?: string;
  /** Substring of the prompt or completion text. */
  search?: string;
  /** Only model calls (logs with a model), leaving out chain, tool and parser spans. */
  modelCalls?: boolean;
}

export interface LogPage {
  logs: RequestLog[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor: string | undefined;
}

export type MetricsGroup = "model" | "provider" | "customer" | "log_source" | "time" | "none";

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricsRow {
  key: string | number | null;
  count: number;
  errors: number;
  error_rate: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  /** Seconds, from log-scale histograms (each percentile within ±2.5 %). */
  latency: Percentiles;
  ttft: Percentiles;
}

export interface InsertResult {
  inserted: number;
  duplicates: number;
  /** Logs of the write the database refused, each alone (the rest were stored); absent when none was. */
  rejected?: { index: number; unique_id: string; reason: string }[];
}

/** A trace: its summary and every span stored for it, earliest first. */
export interface TraceDetail {
  trace: TraceSummary;
  spans: RequestLog[];
}

/**
 * Where `keyway serve` keeps logs: SQLite (one process) or Postgres (several instances on one database), one
 * contract for both (`test/log-store-contract.test.ts`).
 */
export interface LogStore {
  /** Stores logs (already normalized); a log whose `unique_id` is stored already is a duplicate, not an error. */
  insert(logs: readonly RequestLog[]): Promise<InsertResult>;
  get(uniqueId: string): Promise<RequestLog | undefined>;
  /** Newest first; a page stops early past `maxChars` of stored logs (default 8 Mi). */
  list(filters: LogFilters, options: { limit: number; cursor?: string; maxChars?: number }): Promise<LogPage>;
  metrics(
    filters: LogFilters,
    groupBy: MetricsGroup,
    bucketMs?: number,
  ): Promise<{ summary: MetricsRow; groups: MetricsRow[] }>;
  /** Newest traces first (by their first span's start), from the traces summary kept beside the logs. */
  traces(
    filters: TraceFilters,
    options: { limit: number; cursor?: string },
  ): Promise<{ traces: TraceSummary[]; nextCursor: string | undefined }>;
  trace(traceId: string): Promise<TraceDetail | undefined>;
  count(): Promise<number>;
  /** Resolves when the database answers a trivial query (readiness); rejects with the store's typed error. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
