import { ConfigError, type RequestLog } from "@keyway/core";
import pg from "pg";
import { maskUrl } from "./db-url.js";
import { listLogs, numbered, type SqlValue, whereOf } from "./log-query.js";
import type {
  InsertResult,
  LogFilters,
  LogPage,
  LogStore,
  MetricsGroup,
  MetricsRow,
  TraceDetail,
} from "./log-store.js";
import { cellOfLogRow, type LogMetricsRow, logMetricsSql, metricsOf } from "./metrics-cells.js";
import { typedPostgresError } from "./postgres-errors.js";
import { readCells } from "./postgres-rollups.js";
import { migratePostgres } from "./postgres-schema.js";
import { pgValue } from "./postgres-value.js";
import { PostgresWriter } from "./postgres-writer.js";
import { rollupKinds } from "./rollup-kinds.js";
import { listTraces, readTrace, type TraceFilters, type TraceSummary } from "./trace-summary.js";

export interface PostgresLogStoreOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** A statement running longer is stopped and answered 503 `query_timeout` (default 15 s). */
  queryTimeoutMs?: number;
  /** Time allowed to connect (default 5 s): a wrong host fails fast instead of hanging the start. */
  connectTimeoutMs?: number;
  /** Problems that fail no request (an idle connection dropped by the server). */
  onError?: (error: unknown) => void;
}

const kinds = [rollupKinds.hour, rollupKinds.minute, rollupKinds.customerDay];

/**
 * Logs in Postgres, shared by any number of `keyway serve` instances: the same rows, rollups and queries as the
 * SQLite store. Writes arriving together go in one transaction (multi-row `INSERT … ON CONFLICT (unique_id) DO
 * NOTHING`, the rollups upserted in the same transaction), so an insert resolves once committed and a log posted
 * to two instances is stored once.
 */
export class PostgresLogStore implements LogStore {
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #writer: PostgresWriter;
  #closed = false;

  private constructor(url: string, pool: pg.Pool) {
    this.#url = maskUrl(url);
    this.#pool = pool;
    this.#writer = new PostgresWriter(pool, (error) => this.#typed(error));
  }

  /** Connects and migrates; a wrong password or an unreachable host is a `ConfigError` naming the masked URL. */
  static async open(url: string, options: PostgresLogStoreOptions = {}): Promise<PostgresLogStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      statement_timeout: options.queryTimeoutMs ?? 15_000,
    });
    // An idle connection the database drops: the pool replaces it on demand; reported, never thrown.
    pool.on("error", (error) => options.onError?.(error));
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      const reason = String((error as Error).message || (error as { code?: string }).code || error);
      throw new ConfigError(`Cannot open ${maskUrl(url)}: ${reason.replaceAll(url, maskUrl(url))}`);
    }
    return new PostgresLogStore(url, pool);
  }

  async #query<T extends pg.QueryResultRow>(sql: string, params: SqlValue[]): Promise<T[]> {
    try {
      return (await this.#pool.query<T>(numbered(sql), params.map(pgValue))).rows;
    } catch (error) {
      throw this.#typed(error);
    }
  }

  #typed(error: unknown): unknown {
    return typedPostgresError(error, this.#url);
  }

  insert(logs: readonly RequestLog[]): Promise<InsertResult> {
    if (this.#closed) return Promise.reject(new Error("log store is closed"));
    return this.#writer.insert(logs);
  }

  async get(uniqueId: string): Promise<RequestLog | undefined> {
    const [row] = await this.#query<{ body: string }>("SELECT body FROM logs WHERE unique_id = ?", [
      uniqueId,
    ]);
    return row ? (JSON.parse(row.body) as RequestLog) : undefined;
  }

  list(
    filters: LogFilters,
    options: { limit: number; cursor?: string; maxChars?: number },
  ): Promise<LogPage> {
    return listLogs(
      <T>(sql: string, params: SqlValue[]) => this.#query(sql, params) as Promise<T[]>,
      filters,
      options,
    );
  }

  metrics(
    filters: LogFilters,
    groupBy: MetricsGroup,
    bucketMs = 3_600_000,
  ): Promise<{ summary: MetricsRow; groups: MetricsRow[] }> {
    return metricsOf(
      kinds,
      {
        rollup: (kind, window) =>
          readCells(this.#pool, kind, window).catch((e) => Promise.reject(this.#typed(e))),
        logs: async (window, group, bucket) => {
          const { sql, params } = whereOf(window);
          const rows = await this.#query<LogMetricsRow>(
            logMetricsSql(group, bucket, sql, (column) => `COALESCE(SUM(${column}), 0)::float8`),
            params,
          );
          // BIGINT keys (time buckets) arrive as text.
          return rows.map((row) => cellOfLogRow(group === "time" ? { ...row, key: Number(row.key) } : row));
        },
      },
      filters,
      groupBy,
      Math.max(1, Math.floor(bucketMs)),
    );
  }

  traces(
    filters: TraceFilters,
    options: { limit: number; cursor?: string },
  ): Promise<{ traces: TraceSummary[]; nextCursor: string | undefined }> {
    return listTraces(
      <T>(sql: string, params: SqlValue[]) => this.#query(sql, params) as Promise<T[]>,
      filters,
      options,
    );
  }

  trace(traceId: string): Promise<TraceDetail | undefined> {
    return readTrace(
      <T>(sql: string, params: SqlValue[]) => this.#query(sql, params) as Promise<T[]>,
      (filters, options) => this.list(filters, options),
      traceId,
    );
  }

  async ping(): Promise<void> {
    await this.#query("SELECT 1 AS ok", []);
  }

  async count(): Promise<number> {
    const [row] = await this.#query<{ n: string }>("SELECT COUNT(*) AS n FROM logs", []);
    return Number(row?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.idle();
    await this.#pool.end();
  }
}
