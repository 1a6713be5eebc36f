import type { RequestLog } from "@keyway/core";
import type pg from "pg";
import { logColumns } from "./log-query.js";
import { toRow } from "./log-row.js";
import type { InsertResult } from "./log-store.js";
import { isStoreUnavailable } from "./postgres-errors.js";
import { upsertCells } from "./postgres-rollups.js";
import { upsertTraces } from "./postgres-traces.js";
import { inTransaction } from "./postgres-transaction.js";
import { pgValue } from "./postgres-value.js";
import { RollupAccumulator, type RollupRow } from "./rollup-accumulator.js";
import { rollupKinds } from "./rollup-kinds.js";
import { TraceAccumulator } from "./trace-summary.js";

interface Rows {
  logs: readonly RequestLog[];
  rows: Record<string, string | number | null>[];
}
interface PendingWrite extends Rows {
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

const kinds = [rollupKinds.hour, rollupKinds.minute, rollupKinds.customerDay];
/** Logs one transaction takes. */
const LOGS_PER_TRANSACTION = 5_000;

/** Each column's Postgres type, for the arrays the insert unnests. */
const columnTypes: Record<(typeof logColumns)[number], string> = {
  unique_id: "text",
  ts: "bigint",
  model: "text",
  provider_id: "text",
  customer_identifier: "text",
  status_code: "integer",
  is_error: "smallint",
  thread_identifier: "text",
  trace_unique_id: "text",
  log_source: "text",
  log_type: "text",
  prompt_tokens: "bigint",
  completion_tokens: "bigint",
  total_tokens: "bigint",
  cost: "double precision",
  latency: "double precision",
  ttft: "double precision",
  latency_bucket: "integer",
  ttft_bucket: "integer",
  search_text: "text",
  body: "text",
};

/**
 * One statement for any number of rows: each column sent as one array and unnested, so the statement and its
 * plan stay the same size whatever the batch (a multi-row `VALUES` of 1,000 rows is 21,000 parameters to bind
 * and a plan to match); bench/RESULTS.md has the before/after (`bench/postgres-store-write.mjs`).
 */
const insertSql = `INSERT INTO logs (${logColumns.join(", ")})
  SELECT * FROM unnest(${logColumns.map((column, index) => `$${index + 1}::${columnTypes[column]}[]`).join(", ")})
  ON CONFLICT (unique_id) DO NOTHING RETURNING unique_id`;
const WRITERS = 2;

/**
 * The Postgres store's writes: inserts arriving together go in one transaction (one `INSERT … SELECT FROM
 * unnest(…) ON CONFLICT (unique_id) DO NOTHING`, the rollups and the traces summary upserted in it), at most two
 * transactions at once.
 * An insert resolves once its transaction committed.
 */
export class PostgresWriter {
  #pending: PendingWrite[] = [];
  #writers = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly typed: (error: unknown) => unknown,
  ) {}

  insert(logs: readonly RequestLog[]): Promise<InsertResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ logs, rows: logs.map(toRow), resolve, reject });
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

  /**
   * One transaction for the batch. When the database refuses it (not when it is down), each write alone, then
   * each row of a refused write alone: a row Postgres cannot take is reported in its write's result and the
   * rest stored, so one bad row fails neither the other requests nor its own batch.
   */
  async #writeBatch(batch: PendingWrite[]): Promise<void> {
    try {
      const results = await this.#transaction(batch);
      for (const [index, write] of batch.entries()) write.resolve(results[index] as InsertResult);
      return;
    } catch (error) {
      if (isStoreUnavailable(error)) {
        for (const write of batch) write.reject(this.typed(error));
        return;
      }
    }
    for (const write of batch) {
      try {
        write.resolve(await this.#writeAlone(write));
      } catch (error) {
        write.reject(this.typed(error));
      }
    }
  }

  async #writeAlone(write: PendingWrite): Promise<InsertResult> {
    try {
      return (await this.#transaction([write]))[0] as InsertResult;
    } catch (error) {
      if (isStoreUnavailable(error)) throw error;
    }
    const result: InsertResult = { inserted: 0, duplicates: 0, rejected: [] };
    for (const [index, row] of write.rows.entries()) {
      const log = write.logs[index] as RequestLog;
      try {
        const [one] = await this.#transaction([{ logs: [log], rows: [row] }]);
        result.inserted += one?.inserted ?? 0;
        result.duplicates += one?.duplicates ?? 0;
      } catch (error) {
        if (isStoreUnavailable(error)) throw error;
        result.rejected?.push({
          index,
          unique_id: String(row.unique_id),
          reason: String((error as Error).message),
        });
      }
    }
    if (result.rejected?.length === 0) delete result.rejected;
    return result;
  }

  async #transaction(batch: readonly Rows[]): Promise<InsertResult[]> {
    // In unique_id order, so two instances inserting the same logs take their row locks in one order.
    const rows = batch
      .flatMap((write, writeIndex) =>
        write.rows.map((row, i) => ({ row, log: write.logs[i] as RequestLog, writeIndex })),
      )
      .sort((a, b) => (String(a.row.unique_id) < String(b.row.unique_id) ? -1 : 1));
    return inTransaction(this.pool, async (client) => {
      const inserted = new Set<string>();
      const result = await client.query<{ unique_id: string }>(
        insertSql,
        logColumns.map((column) => rows.map(({ row }) => pgValue(row[column]))),
      );
      for (const { unique_id } of result.rows) inserted.add(unique_id);
      const results = batch.map(() => ({ inserted: 0, duplicates: 0 }));
      const rollups = kinds.map((kind) => new RollupAccumulator(kind));
      const traces = new TraceAccumulator();
      for (const { row, log, writeIndex } of rows) {
        const id = pgValue(row.unique_id) as string;
        const result = results[writeIndex] as InsertResult;
        // The same id twice in one batch: the first is the one stored.
        if (!inserted.delete(id)) {
          result.duplicates++;
          continue;
        }
        result.inserted++;
        for (const rollup of rollups) rollup.add(row as RollupRow);
        traces.add(log, row);
      }
      for (const rollup of rollups) await upsertCells(client, rollup.kind, rollup.take());
      await upsertTraces(client, traces.take());
      return results;
    });
  }

  /** Resolves once every write handed over has been committed or failed. */
  async idle(): Promise<void> {
    while (this.#pending.length > 0 || this.#writers > 0) {
      this.#drain();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
