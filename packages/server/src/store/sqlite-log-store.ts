import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { RequestLog } from "@keyway/core";
import { listLogs, logColumns, whereOf } from "./log-query.js";
import { toRow } from "./log-row.js";
import type {
  InsertResult,
  LogFilters,
  LogPage,
  LogStore,
  MetricsGroup,
  MetricsRow,
  TraceDetail,
} from "./log-store.js";
import { type Cell, cellOfLogRow, type LogMetricsRow, logMetricsSql, metricsOf } from "./metrics-cells.js";
import { migrate } from "./migrations.js";
import { QueryWorkers } from "./query-workers.js";
import type { RollupRow } from "./rollup-accumulator.js";
import { SqliteRollups } from "./sqlite-rollups.js";
import { SqliteTraces } from "./sqlite-traces.js";
import { listTraces, readTrace, type TraceFilters, type TraceSummary } from "./trace-summary.js";

interface PendingWrite {
  logs: readonly RequestLog[];
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

export interface SqliteLogStoreOptions {
  /** Worker threads for reads that scan (lists, metrics off the rollups, counts); default 2. */
  queryWorkers?: number;
  /** A read query running longer is stopped and answered 503 `query_timeout` (default 15 s). */
  queryTimeoutMs?: number;
  /** Problems that fail no request (a rollup write that will be retried). */
  onError?: (error: unknown) => void;
  /** How often counted logs are written to the rollup tables (default 1 s; see `SqliteRollups`). */
  rollupFlushMs?: number;
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
  readonly #rollups: SqliteRollups;
  readonly #traces: SqliteTraces;
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
    this.#traces = new SqliteTraces(this.#db);
    this.#rollups = new SqliteRollups(this.#db, options.onError, options.rollupFlushMs);
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO logs (${logColumns.join(", ")}) VALUES (${logColumns.map(() => "?").join(", ")})`,
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
    const committed: RollupRow[] = [];
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      // Each write (one request's logs) in its own savepoint: a row that fails fails its own request only.
      for (const write of batch) {
        const result = { inserted: 0, duplicates: 0 };
        const stored: { log: RequestLog; row: Record<string, string | number | null> }[] = [];
        this.#db.exec("SAVEPOINT write");
        try {
          for (const log of write.logs) {
            const row = toRow(log);
            const done = this.#insert.run(...logColumns.map((column) => row[column] ?? null));
            if (Number(done.changes) > 0) {
              row.seq = Number(done.lastInsertRowid);
              result.inserted++;
              stored.push({ log, row });
            } else result.duplicates++;
          }
          this.#db.exec("RELEASE write");
        } catch (error) {
          this.#db.exec("ROLLBACK TO write; RELEASE write");
          results.push({ error });
          continue;
        }
        for (const { log, row } of stored) {
          this.#traces.add(log, row);
          committed.push(row as RollupRow);
        }
        results.push(result);
      }
      this.#traces.flush();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#traces.discard();
      try {
        this.#db.exec("ROLLBACK");
      } catch {}
      for (const write of batch) write.reject(error);
      return;
    }
    this.#rollups.counted(committed);
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

  list(
    filters: LogFilters,
    options: { limit: number; cursor?: string; maxChars?: number },
  ): Promise<LogPage> {
    return listLogs((sql, params) => this.#read(sql, params as SQLInputValue[]), filters, options);
  }

  metrics(
    filters: LogFilters,
    groupBy: MetricsGroup,
    bucketMs = 3_600_000,
  ): Promise<{ summary: MetricsRow; groups: MetricsRow[] }> {
    // A rollup answers from thousands of cells, here; the logs are scanned in a worker.
    return metricsOf(
      this.#rollups.kinds,
      {
        rollup: async (kind, window) => this.#rollups.cells(kind, window),
        logs: (window, group, bucket) => this.#fromLogs(window, group, bucket),
      },
      filters,
      groupBy,
      Math.max(1, Math.floor(bucketMs)),
    );
  }

  /** Metrics from the logs themselves (through the covering index where it applies). */
  async #fromLogs(filters: LogFilters, groupBy: MetricsGroup, bucketMs: number): Promise<Cell[]> {
    const { sql, params } = whereOf(filters);
    const rows = await this.#read<LogMetricsRow>(
      logMetricsSql(groupBy, bucketMs, sql, (column) => `TOTAL(${column})`),
      params,
    );
    return rows.map(cellOfLogRow);
  }

  traces(
    filters: TraceFilters,
    options: { limit: number; cursor?: string },
  ): Promise<{ traces: TraceSummary[]; nextCursor: string | undefined }> {
    return listTraces((sql, params) => this.#read(sql, params as SQLInputValue[]), filters, options);
  }

  trace(traceId: string): Promise<TraceDetail | undefined> {
    return readTrace(
      (sql, params) => this.#read(sql, params as SQLInputValue[]),
      (filters, options) => this.list(filters, options),
      traceId,
    );
  }

  async ping(): Promise<void> {
    await this.#read("SELECT 1 AS ok", []);
  }

  async count(): Promise<number> {
    const [row] = await this.#read<{ n: number }>("SELECT COUNT(*) AS n FROM logs", []);
    return row?.n ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writePending();
    this.#rollups.close();
    await this.#workers?.close();
    this.#db.close();
  }
}
