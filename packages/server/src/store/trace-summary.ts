import type { RequestLog } from "@keyway/core";
import type { ReadQuery, SqlValue } from "./log-query.js";
import type { LogFilters, LogPage, TraceDetail } from "./log-store.js";

/** One trace as `GET /api/traces/` lists it: kept beside the logs, updated in the transaction that stores them. */
export interface TraceSummary {
  trace_unique_id: string;
  /** Epoch ms: the earliest span start and the latest span end. */
  start_ms: number;
  end_ms: number;
  spans: number;
  model_calls: number;
  total_tokens: number;
  cost: number;
  errors: number;
  customer_identifier: string | null;
  /** The root span's name (a span with no parent); null until the root arrives. */
  root_name: string | null;
}

/** The traces table (both stores; Postgres widens the integers): one row per trace, newest found by start. */
export const tracesTableSql = (integer: string, real: string): string => `CREATE TABLE traces (
  trace_unique_id TEXT PRIMARY KEY, start_ms ${integer} NOT NULL, end_ms ${integer} NOT NULL,
  spans ${integer} NOT NULL, model_calls ${integer} NOT NULL, total_tokens ${integer} NOT NULL, cost ${real} NOT NULL,
  errors ${integer} NOT NULL, customer_identifier TEXT, root_name TEXT
);
CREATE INDEX traces_start ON traces (start_ms, trace_unique_id);
CREATE INDEX traces_customer ON traces (customer_identifier, start_ms)`;

/** The traces table's columns, in insert order. */
export const traceColumns = [
  "trace_unique_id",
  "start_ms",
  "end_ms",
  "spans",
  "model_calls",
  "total_tokens",
  "cost",
  "errors",
  "customer_identifier",
  "root_name",
] as const;

/** A span's interval: its start (`start_time`, else its end less its latency) and its end (`timestamp`). */
function intervalOf(log: RequestLog, endMs: number): [number, number] {
  const start = Date.parse(log.start_time ?? "");
  if (Number.isFinite(start)) return [Math.min(start, endMs), endMs];
  return [endMs - Math.max(0, Math.round((log.latency ?? 0) * 1000)), endMs];
}

/** Two summaries of one trace as one (batches of its spans arrive in any order, on any instance). */
export function mergeTraces(a: TraceSummary, b: TraceSummary): TraceSummary {
  return {
    trace_unique_id: a.trace_unique_id,
    start_ms: Math.min(a.start_ms, b.start_ms),
    end_ms: Math.max(a.end_ms, b.end_ms),
    spans: a.spans + b.spans,
    model_calls: a.model_calls + b.model_calls,
    total_tokens: a.total_tokens + b.total_tokens,
    cost: a.cost + b.cost,
    errors: a.errors + b.errors,
    // The root span's customer when it has one: the same answer whatever order the spans arrive in.
    customer_identifier:
      b.root_name !== null
        ? (b.customer_identifier ?? a.customer_identifier)
        : (a.customer_identifier ?? b.customer_identifier),
    root_name: b.root_name ?? a.root_name,
  };
}

/** Stored spans counted into their traces' summaries, before they are merged into the traces table. */
export class TraceAccumulator {
  readonly #traces = new Map<string, TraceSummary>();

  /** Counts one stored log (its row gives the derived columns); logs outside any trace are not counted. */
  add(log: RequestLog, row: Record<string, SqlValue>): void {
    const id = row.trace_unique_id;
    if (typeof id !== "string" || id === "") return;
    const [start, end] = intervalOf(log, Number(row.ts));
    const isRoot = !log.span_parent_id;
    const one: TraceSummary = {
      trace_unique_id: id,
      start_ms: start,
      end_ms: end,
      spans: 1,
      model_calls: log.model ? 1 : 0,
      total_tokens: Number(row.total_tokens ?? 0),
      cost: Number(row.cost ?? 0),
      errors: Number(row.is_error),
      customer_identifier: typeof row.customer_identifier === "string" ? row.customer_identifier : null,
      root_name: isRoot
        ? (log.span_name ?? log.span_workflow_name ?? log.log_type ?? log.model ?? "trace")
        : null,
    };
    const seen = this.#traces.get(id);
    this.#traces.set(id, seen ? mergeTraces(seen, one) : one);
  }

  /** The summaries counted so far, in id order (one lock order for concurrent writers), then forgets them. */
  take(): TraceSummary[] {
    const all = [...this.#traces.values()].sort((a, b) =>
      a.trace_unique_id < b.trace_unique_id ? -1 : a.trace_unique_id > b.trace_unique_id ? 1 : 0,
    );
    this.#traces.clear();
    return all;
  }

  discard(): void {
    this.#traces.clear();
  }
}

/** Filters of the trace list: a time window on the trace start, a customer, and the cursor of the page before. */
export interface TraceFilters {
  from?: number;
  to?: number;
  customer?: string;
}

/** The trace list's query (`?` placeholders), newest first, one past the limit so a next page is known. */
export function traceListSql(
  filters: TraceFilters,
  options: { limit: number; cursor?: string | undefined },
): { sql: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (filters.from !== undefined) {
    clauses.push("start_ms >= ?");
    params.push(filters.from);
  }
  if (filters.to !== undefined) {
    clauses.push("start_ms <= ?");
    params.push(filters.to);
  }
  if (filters.customer !== undefined) {
    clauses.push("customer_identifier = ?");
    params.push(filters.customer);
  }
  const [at, id] = options.cursor
    ? (() => {
        const text = Buffer.from(options.cursor, "base64url").toString("utf8");
        const colon = text.indexOf(":");
        return [Number(text.slice(0, colon)), text.slice(colon + 1)] as const;
      })()
    : [Number.NaN, ""];
  if (Number.isFinite(at)) {
    clauses.push("(start_ms < ? OR (start_ms = ? AND trace_unique_id < ?))");
    params.push(at, at, id);
  }
  return {
    sql: `SELECT * FROM traces ${clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : ""}
          ORDER BY start_ms DESC, trace_unique_id DESC LIMIT ?`,
    params: [...params, options.limit + 1],
  };
}

/** A page of the trace list from its rows (numbers may arrive as text from Postgres). */
export function tracePage(
  rows: Record<string, unknown>[],
  limit: number,
): { traces: TraceSummary[]; nextCursor: string | undefined } {
  const traces = rows.slice(0, limit).map(traceOfRow);
  const last = traces[traces.length - 1];
  return {
    traces,
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(`${last.start_ms}:${last.trace_unique_id}`).toString("base64url")
        : undefined,
  };
}

export function traceOfRow(row: Record<string, unknown>): TraceSummary {
  return {
    trace_unique_id: String(row.trace_unique_id),
    start_ms: Number(row.start_ms),
    end_ms: Number(row.end_ms),
    spans: Number(row.spans),
    model_calls: Number(row.model_calls),
    total_tokens: Number(row.total_tokens),
    cost: Number(row.cost),
    errors: Number(row.errors),
    customer_identifier: row.customer_identifier == null ? null : String(row.customer_identifier),
    root_name: row.root_name == null ? null : String(row.root_name),
  };
}

/** Spans a trace page shows at most (a runaway agent can log more; the summary still counts them all). */
const MAX_TRACE_SPANS = 5_000;

/** A trace's summary and spans (earliest first), read through the store's own list, page by page. */
export async function traceDetail(
  summary: TraceSummary | undefined,
  list: (cursor: string | undefined) => Promise<LogPage>,
): Promise<TraceDetail | undefined> {
  if (!summary) return undefined;
  const spans: RequestLog[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    spans.push(...page.logs);
    cursor = page.nextCursor;
  } while (cursor && spans.length < MAX_TRACE_SPANS);
  const startOf = (log: RequestLog) => intervalOf(log, Date.parse(log.timestamp ?? ""))[0];
  spans.sort((a, b) => startOf(a) - startOf(b));
  return { trace: summary, spans };
}

/** `LogStore.traces` on either store. */
export async function listTraces(
  read: ReadQuery,
  filters: TraceFilters,
  options: { limit: number; cursor?: string },
): Promise<{ traces: TraceSummary[]; nextCursor: string | undefined }> {
  const { sql, params } = traceListSql(filters, options);
  return tracePage(await read<Record<string, unknown>>(sql, params), options.limit);
}

/** `LogStore.trace` on either store: the summary row, then the spans through the store's list. */
export async function readTrace(
  read: ReadQuery,
  list: (filters: LogFilters, options: { limit: number; cursor?: string }) => Promise<LogPage>,
  traceId: string,
): Promise<TraceDetail | undefined> {
  const [row] = await read<Record<string, unknown>>("SELECT * FROM traces WHERE trace_unique_id = ?", [
    traceId,
  ]);
  return traceDetail(row ? traceOfRow(row) : undefined, (cursor) =>
    list({ trace: traceId }, { limit: 500, ...(cursor ? { cursor } : {}) }),
  );
}
