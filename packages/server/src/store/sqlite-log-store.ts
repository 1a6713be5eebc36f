import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { RequestLog } from "@keyway/core";
import { percentilesOf } from "./histogram.js";
import { toRow } from "./log-row.js";
import type { InsertResult, LogFilters, LogPage, LogStore, MetricsGroup, MetricsRow } from "./log-store.js";
import { MetricsRollup } from "./metrics-rollup.js";
import { migrate } from "./migrations.js";
import { QueryWorkers } from "./query-workers.js";

const columns = [
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

const groupColumns: Record<Exclude<MetricsGroup, "time" | "none">, string> = {
  model: "model",
  provider: "provider_id",
  customer: "customer_identifier",
  log_source: "log_source",
};

interface PendingWrite {
  logs: readonly RequestLog[];
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

function where(filters: LogFilters): { sql: string; params: SQLInputValue[] } {
  const clauses: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (clause: string, ...values: SQLInputValue[]) => {
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

const DEFAULT_PAGE_CHARS = 8 * 1024 * 1024;

export interface SqliteLogStoreOptions {
  /** Worker threads for reads that scan (lists, metrics off the rollups, counts); default 2. */
  queryWorkers?: number;
  /** A read query running longer is stopped and answered 503 `query_timeout` (default 15 s). */
  queryTimeoutMs?: number;
}

const encodeCursor = (ts: number, seq: number) => Buffer.from(`${ts}:${seq}`).toString("base64url");
function decodeCursor(cursor: string): [number, number] | undefined {
  const [ts, seq] = Buffer.from(cursor, "base64url").toString("utf8").split(":").map(Number);
  return Number.isFinite(ts) && Number.isFinite(seq) ? [ts as number, seq as number] : undefined;
}

/**
 * Logs in SQLite through `node:sqlite` (no native build), WAL mode. Writes are batched: every insert arriving
 * in the same turn of the event loop goes into one transaction, so an ingest burst costs one commit, not one
 * per request. `insert` resolves once its transaction committed.
 */
export class SqliteLogStore implements LogStore {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  /** Hourly first: the coarser rollup that answers a query reads the fewest cells. */
  readonly #rollups: MetricsRollup[];
  /** Reads that may scan many rows run here, off the main thread (none for `:memory:`, which cannot be shared). */
  readonly #workers: QueryWorkers | undefined;
  #pending: PendingWrite[] = [];
  #scheduled = false;
  #closed = false;

  constructor(path: string, options: SqliteLogStoreOptions = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY;",
    );
    migrate(this.#db);
    this.#rollups = [new MetricsRollup(this.#db, "hour"), new MetricsRollup(this.#db, "minute")];
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO logs (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    this.#workers =
      path === ":memory:"
        ? undefined
        : new QueryWorkers(path, {
            size: options.queryWorkers ?? 2,
            timeoutMs: options.queryTimeoutMs ?? 15_000,
          });
  }

  /** A read query: in a worker when there are workers, else here. */
  #read<T>(sql: string, params: SQLInputValue[]): Promise<T[]> {
    if (this.#workers) return this.#workers.all<T>(sql, params as (string | number | bigint | null)[]);
    try {
      return Promise.resolve(this.#db.prepare(sql).all(...params) as T[]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  insert(logs: readonly RequestLog[]): Promise<InsertResult> {
    if (this.#closed) return Promise.reject(new Error("log store is closed"));
    return new Promise((resolve, reject) => {
      this.#pending.push({ logs, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#writePending());
      }
    });
  }

  #writePending(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const results: (InsertResult | { error: unknown })[] = [];
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      // Each write (one request's logs) in its own savepoint: a row that fails fails its own request only.
      for (const write of batch) {
        const result = { inserted: 0, duplicates: 0 };
        const stored: Record<string, string | number | null>[] = [];
        this.#db.exec("SAVEPOINT write");
        try {
          for (const log of write.logs) {
            const row = toRow(log);
            const changes = Number(this.#insert.run(...columns.map((column) => row[column] ?? null)).changes);
            if (changes > 0) {
              result.inserted++;
              stored.push(row);
            } else result.duplicates++;
          }
          this.#db.exec("RELEASE write");
        } catch (error) {
          this.#db.exec("ROLLBACK TO write; RELEASE write");
          results.push({ error });
          continue;
        }
        for (const row of stored)
          for (const rollup of this.#rollups)
            rollup.add(row as unknown as Parameters<MetricsRollup["add"]>[0]);
        results.push(result);
      }
      for (const rollup of this.#rollups) rollup.flush();
      this.#db.exec("COMMIT");
    } catch (error) {
      for (const rollup of this.#rollups) rollup.discard();
      try {
        this.#db.exec("ROLLBACK");
      } catch {}
      for (const write of batch) write.reject(error);
      return;
    }
    for (const [index, write] of batch.entries()) {
      const result = results[index] as InsertResult | { error: unknown };
      if ("error" in result) write.reject(result.error);
      else write.resolve(result);
    }
  }

  async get(uniqueId: string): Promise<RequestLog | undefined> {
    const row = this.#db.prepare("SELECT body FROM logs WHERE unique_id = ?").get(uniqueId) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as RequestLog) : undefined;
  }

  async list(
    filters: LogFilters,
    options: { limit: number; cursor?: string; maxChars?: number },
  ): Promise<LogPage> {
    const { sql, params } = where(filters);
    const position = options.cursor ? decodeCursor(options.cursor) : undefined;
    const page = position ? `${sql ? `${sql} AND` : "WHERE"} (ts < ? OR (ts = ? AND seq < ?))` : sql;
    const pageParams = position ? [...params, position[0], position[0], position[1]] : params;
    // Sizes first, bodies second: a page holds at most `maxChars` of stored logs (at least one log), and no
    // more than that is ever read or passed between threads.
    const rows = await this.#read<{ seq: number; ts: number; size: number }>(
      `SELECT seq, ts, length(body) AS size FROM logs ${page} ORDER BY ts DESC, seq DESC LIMIT ?`,
      [...pageParams, options.limit + 1],
    );
    const maxChars = options.maxChars ?? DEFAULT_PAGE_CHARS;
    let shownCount = 0;
    let chars = 0;
    for (const row of rows.slice(0, options.limit)) {
      chars += row.size;
      if (shownCount > 0 && chars > maxChars) break;
      shownCount++;
    }
    const shown = rows.slice(0, shownCount);
    const bodies = new Map(
      shown.length === 0
        ? []
        : (
            await this.#read<{ seq: number; body: string }>(
              `SELECT seq, body FROM logs WHERE seq IN (${shown.map(() => "?").join(", ")})`,
              shown.map((row) => row.seq),
            )
          ).map((row) => [row.seq, row.body]),
    );
    const last = shown[shown.length - 1];
    return {
      logs: shown.flatMap((row) => {
        const body = bodies.get(row.seq);
        return body === undefined ? [] : [JSON.parse(body) as RequestLog];
      }),
      nextCursor: rows.length > shownCount && last ? encodeCursor(last.ts, last.seq) : undefined,
    };
  }

  async metrics(
    filters: LogFilters,
    groupBy: MetricsGroup,
    bucketMs = 3_600_000,
  ): Promise<{ summary: MetricsRow; groups: MetricsRow[] }> {
    const bucket = Math.max(1, Math.floor(bucketMs));
    const rollup = this.#rollups.find((candidate) => candidate.answers(filters, groupBy, bucket));
    // A rollup answers from thousands of cells, here; anything else scans logs, in a worker.
    const cells = rollup
      ? this.#fromRollup(rollup, filters, groupBy, bucket)
      : await this.#fromLogs(filters, groupBy, bucket);
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

  /** All-time or period-aligned metrics by model, provider, source or time: from a rollup. */
  *#fromRollup(
    rollup: MetricsRollup,
    filters: LogFilters,
    groupBy: MetricsGroup,
    bucketMs: number,
  ): Iterable<Cell> {
    for (const cell of rollup.cells(filters)) {
      const key =
        groupBy === "time"
          ? Math.floor(cell.start / bucketMs) * bucketMs
          : groupBy === "model"
            ? cell.model || null
            : groupBy === "provider"
              ? cell.provider || null
              : groupBy === "log_source"
                ? cell.source || null
                : null;
      yield {
        key,
        count: cell.count,
        errors: cell.errors,
        prompt_tokens: cell.promptTokens,
        completion_tokens: cell.completionTokens,
        total_tokens: cell.totalTokens,
        cost: cell.cost,
        latency: Object.entries(cell.latency).map(([b, n]) => [Number(b), n] as [number, number]),
        ttft: Object.entries(cell.ttft).map(([b, n]) => [Number(b), n] as [number, number]),
      };
    }
  }

  /** Any other metrics: one pass over the matching logs (through the covering index where it applies). */
  async #fromLogs(filters: LogFilters, groupBy: MetricsGroup, bucketMs: number): Promise<Cell[]> {
    const { sql, params } = where(filters);
    const keyExpr =
      groupBy === "time"
        ? `(ts / ${bucketMs}) * ${bucketMs}`
        : groupBy === "none"
          ? "NULL"
          : groupColumns[groupBy];
    const rows = await this.#read<{
      key: string | number | null;
      lb: number | null;
      tb: number | null;
      n: number;
      errors: number;
      prompt_tokens: number;
      completion_tokens: number;
      total_tokens: number;
      cost: number;
    }>(
      `SELECT ${keyExpr} AS key, latency_bucket AS lb, ttft_bucket AS tb, COUNT(*) AS n, SUM(is_error) AS errors,
              TOTAL(prompt_tokens) AS prompt_tokens, TOTAL(completion_tokens) AS completion_tokens,
              TOTAL(total_tokens) AS total_tokens, TOTAL(cost) AS cost
       FROM logs ${sql} GROUP BY key, lb, tb`,
      params,
    );
    return rows.map((row) => ({
      key: row.key,
      count: row.n,
      errors: row.errors ?? 0,
      prompt_tokens: row.prompt_tokens,
      completion_tokens: row.completion_tokens,
      total_tokens: row.total_tokens,
      cost: row.cost,
      latency: row.lb === null ? [] : [[row.lb, row.n] as [number, number]],
      ttft: row.tb === null ? [] : [[row.tb, row.n] as [number, number]],
    }));
  }

  async count(): Promise<number> {
    const [row] = await this.#read<{ n: number }>("SELECT COUNT(*) AS n FROM logs", []);
    return row?.n ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writePending();
    await this.#workers?.close();
    this.#db.close();
  }
}

interface Cell {
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
