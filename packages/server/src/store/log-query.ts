import type { RequestLog } from "@keyway/core";
import type { LogFilters, LogPage } from "./log-store.js";

export type SqlValue = string | number | null;

/** The stored columns of a log, in insert order (`toRow` derives them). */
export const logColumns = [
  "unique_id",
  "ts",
  "model",
  "provider_id",
  "customer_identifier",
  "status_code",
  "is_error",
  "thread_identifier",
  "trace_unique_id",
  "log_source",
  "log_type",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "cost",
  "latency",
  "ttft",
  "latency_bucket",
  "ttft_bucket",
  "search_text",
  "body",
] as const;

/** The WHERE clause of the filters, with `?` placeholders (Postgres numbers them: `numbered`). */
export function whereOf(filters: LogFilters): { sql: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, ...values: SqlValue[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (filters.from !== undefined) add("ts >= ?", filters.from);
  if (filters.to !== undefined) add("ts <= ?", filters.to);
  if (filters.customer !== undefined) add("customer_identifier = ?", filters.customer);
  if (filters.model !== undefined) add("model = ?", filters.model);
  if (filters.provider !== undefined) add("provider_id = ?", filters.provider);
  if (filters.thread !== undefined) add("thread_identifier = ?", filters.thread);
  if (filters.trace !== undefined) add("trace_unique_id = ?", filters.trace);
  if (filters.logSource !== undefined) add("log_source = ?", filters.logSource);
  if (filters.modelCalls) add("model IS NOT NULL AND model <> ''");
  if (filters.status === "error") add("is_error = 1");
  else if (filters.status === "success") add("is_error = 0");
  else if (filters.status !== undefined) add("status_code = ?", Number(filters.status));
  if (filters.search)
    add(
      "search_text LIKE ? ESCAPE '\\'",
      `%${filters.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    );
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** `?` placeholders as Postgres's `$1`, `$2`, … (our SQL has no `?` of its own). */
export const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export const encodeCursor = (ts: number, seq: number) => Buffer.from(`${ts}:${seq}`).toString("base64url");

/** The WHERE clause of a page: the filters, and older than the cursor's (ts, seq) when there is one. */
export function pageWhere(
  filters: LogFilters,
  cursor: string | undefined,
): { sql: string; params: SqlValue[] } {
  const { sql, params } = whereOf(filters);
  const [ts, seq] = cursor ? Buffer.from(cursor, "base64url").toString("utf8").split(":").map(Number) : [];
  if (!Number.isFinite(ts) || !Number.isFinite(seq)) return { sql, params };
  return {
    sql: `${sql ? `${sql} AND` : "WHERE"} (ts < ? OR (ts = ? AND seq < ?))`,
    params: [...params, ts as number, ts as number, seq as number],
  };
}

export const DEFAULT_PAGE_CHARS = 8 * 1024 * 1024;

/**
 * How many of the rows (newest first, one past the limit read) a page shows: at most `limit`, at most `maxChars`
 * of stored logs (at least one log), and the cursor to the next page when more remain.
 */
export function pageCut(
  rows: readonly { seq: number | string; ts: number | string; size: number | string }[],
  limit: number,
  maxChars = DEFAULT_PAGE_CHARS,
): { shown: number; nextCursor: string | undefined } {
  let shown = 0;
  let chars = 0;
  for (const row of rows.slice(0, limit)) {
    chars += Number(row.size);
    if (shown > 0 && chars > maxChars) break;
    shown++;
  }
  const last = rows[shown - 1];
  return {
    shown,
    nextCursor: rows.length > shown && last ? encodeCursor(Number(last.ts), Number(last.seq)) : undefined,
  };
}

/** Runs one read query (`?` placeholders) on a store. */
export type ReadQuery = <T>(sql: string, params: SqlValue[]) => Promise<T[]>;

/**
 * A page of logs, newest first, on either store. Sizes first, bodies second: a page holds at most `maxChars` of
 * stored logs (at least one log), and no more than that is ever read.
 */
export async function listLogs(
  read: ReadQuery,
  filters: LogFilters,
  options: { limit: number; cursor?: string; maxChars?: number },
): Promise<LogPage> {
  const { sql, params } = pageWhere(filters, options.cursor);
  const rows = await read<{ seq: number | string; ts: number | string; size: number | string }>(
    `SELECT seq, ts, length(body) AS size FROM logs ${sql} ORDER BY ts DESC, seq DESC LIMIT ?`,
    [...params, options.limit + 1],
  );
  const { shown, nextCursor } = pageCut(rows, options.limit, options.maxChars);
  const seqs = rows.slice(0, shown).map((row) => row.seq);
  const bodies = new Map(
    seqs.length === 0
      ? []
      : (
          await read<{ seq: number | string; body: string }>(
            `SELECT seq, body FROM logs WHERE seq IN (${seqs.map(() => "?").join(", ")})`,
            seqs,
          )
        ).map((row) => [String(row.seq), row.body]),
  );
  return {
    logs: seqs.flatMap((seq) => {
      const body = bodies.get(String(seq));
      return body === undefined ? [] : [JSON.parse(body) as RequestLog];
    }),
    nextCursor,
  };
}
