import { ConfigError, type RequestLog } from "@keyway/core";
import pg from "pg";
import { HttpError } from "../http/http-error.js";
import { maskUrl } from "./db-url.js";
import { listLogs, logColumns, numbered, type SqlValue, whereOf } from "./log-query.js";
import { toRow } from "./log-row.js";
import type { InsertResult, LogFilters, LogPage, LogStore, MetricsGroup, MetricsRow } from "./log-store.js";
import { cellOfLogRow, type LogMetricsRow, logMetricsSql, metricsOf } from "./metrics-cells.js";
import { readCells, upsertCells } from "./postgres-rollups.js";
import { migratePostgres } from "./postgres-schema.js";
import { RollupAccumulator, type RollupRow } from "./rollup-accumulator.js";
import { rollupKinds } from "./rollup-kinds.js";

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

interface PendingWrite {
  rows: Record<string, string | number | null>[];
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

const kinds = [rollupKinds.hour, rollupKinds.minute, rollupKinds.customerDay];
/** Rows a statement carries (21 parameters each; Postgres takes 65,535) and logs one transaction takes. */
const ROWS_PER_STATEMENT = 1_000;
const LOGS_PER_TRANSACTION = 5_000;
const WRITERS = 2;

/** Postgres text cannot hold NUL: it becomes U+FFFD (the stored JSON body keeps it, escaped). */
const pgValue = (value: SqlValue | undefined): SqlValue =>
  typeof value === "string" && value.includes("\u0000")
    ? value.replaceAll("\u0000", "\uFFFD")
    : (value ?? null);

/**
 * Logs in Postgres, shared by any number of `keyway serve` instances: the same rows, rollups and queries as the
 * SQLite store. Writes arriving together go in one transaction (multi-row `INSERT … ON CONFLICT (unique_id) DO
 * NOTHING`, the rollups upserted in the same transaction), so an insert resolves once committed and a log posted
 * to two instances is stored once.
 */
export class PostgresLogStore implements LogStore {
  readonly #pool: pg.Pool;
  readonly #url: string;
  #pending: PendingWrite[] = [];
  #writers = 0;
  #closed = false;

  private constructor(url: string, pool: pg.Pool) {
    this.#url = maskUrl(url);
    this.#pool = pool;
  }

  /** Connects and migrates; a wrong password or an unreachable host is a `ConfigError` naming the masked URL. */
  static async open(url: string, options: PostgresLogStoreOptions = {}): Promise<PostgresLogStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      statement_timeout: options.queryTimeoutMs ?? 15_000,
    });
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
    const code = (error as { code?: string }).code;
    if (code === "57014")
      return new HttpError(
        503,
        "query_timeout",
        "The query ran too long and was stopped; narrow the window or filters.",
      );
    if (code?.startsWith("08") || ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P01"].includes(code ?? ""))
      return new HttpError(
        503,
        "store_unavailable",
        `The log database ${this.#url} is unreachable (${code}).`,
      );
    return error;
  }

  insert(logs: readonly RequestLog[]): Promise<InsertResult> {
    if (this.#closed) return Promise.reject(new Error("log store is closed"));
    return new Promise((resolve, reject) => {
      this.#pending.push({ rows: logs.map(toRow), resolve, reject });
      setImmediate(() => this.#drain());
    });
  }

  /** Starts writers while there are writes waiting: each takes what has gathered, up to a transaction's worth. */
  #drain(): void {
    while (this.#writers < WRITERS && this.#pending.length > 0) {
      let logs = 0;
      let take = 0;
      while (take < this.#pending.length && (take === 0 || logs < LOGS_PER_TRANSACTION))
        logs += (this.#pending[take++] as PendingWrite).rows.length;
      const batch = this.#pending.splice(0, take);
      this.#writers++;
      void this.#writeBatch(batch).finally(() => {
        this.#writers--;
        this.#drain();
      });
    }
  }

  /** One transaction for the batch; when it fails, each write alone, so a bad one fails only its own request. */
  async #writeBatch(batch: PendingWrite[]): Promise<void> {
    try {
      const results = await this.#transaction(batch);
      for (const [index, write] of batch.entries()) write.resolve(results[index] as InsertResult);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(this.#typed(error));
        return;
      }
    }
    for (const write of batch)
      await this.#transaction([write]).then(
        ([result]) => write.resolve(result as InsertResult),
        (error: unknown) => write.reject(this.#typed(error)),
      );
  }

  async #transaction(batch: PendingWrite[]): Promise<InsertResult[]> {
    // In unique_id order, so two instances inserting the same logs take their row locks in one order.
    const rows = batch
      .flatMap((write, writeIndex) => write.rows.map((row) => ({ row, writeIndex })))
      .sort((a, b) => (String(a.row.unique_id) < String(b.row.unique_id) ? -1 : 1));
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const inserted = new Set<string>();
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
        const values = chunk.map(
          (_, i) => `(${logColumns.map((__, c) => `$${i * logColumns.length + c + 1}`).join(", ")})`,
        );
        const result = await client.query<{ unique_id: string }>(
          `INSERT INTO logs (${logColumns.join(", ")}) VALUES ${values.join(", ")}
           ON CONFLICT (unique_id) DO NOTHING RETURNING unique_id`,
          chunk.flatMap(({ row }) => logColumns.map((column) => pgValue(row[column]))),
        );
        for (const { unique_id } of result.rows) inserted.add(unique_id);
      }
      const results = batch.map(() => ({ inserted: 0, duplicates: 0 }));
      const rollups = kinds.map((kind) => new RollupAccumulator(kind));
      for (const { row, writeIndex } of rows) {
        const id = pgValue(row.unique_id) as string;
        const result = results[writeIndex] as InsertResult;
        // The same id twice in one batch: the first is the one stored.
        if (!inserted.delete(id)) {
          result.duplicates++;
          continue;
        }
        result.inserted++;
        for (const rollup of rollups) rollup.add(row as RollupRow);
      }
      for (const rollup of rollups) await upsertCells(client, rollup.kind, rollup.take());
      await client.query("COMMIT");
      return results;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
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

  async count(): Promise<number> {
    const [row] = await this.#query<{ n: string }>("SELECT COUNT(*) AS n FROM logs", []);
    return Number(row?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#pending.length > 0 || this.#writers > 0) {
      this.#drain();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await this.#pool.end();
  }
}
