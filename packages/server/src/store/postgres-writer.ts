import type { RequestLog } from "@keyway/core";
import type pg from "pg";
import { logColumns, type SqlValue } from "./log-query.js";
import { toRow } from "./log-row.js";
import type { InsertResult } from "./log-store.js";
import { upsertCells } from "./postgres-rollups.js";
import { upsertTraces } from "./postgres-traces.js";
import { inTransaction } from "./postgres-transaction.js";
import { RollupAccumulator, type RollupRow } from "./rollup-accumulator.js";
import { rollupKinds } from "./rollup-kinds.js";
import { TraceAccumulator } from "./trace-summary.js";

interface PendingWrite {
  logs: readonly RequestLog[];
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
export const pgValue = (value: SqlValue | undefined): SqlValue =>
  typeof value === "string" && value.includes("\u0000")
    ? value.replaceAll("\u0000", "\uFFFD")
    : (value ?? null);

/**
 * The Postgres store's writes: inserts arriving together go in one transaction (multi-row `INSERT … ON CONFLICT
 * (unique_id) DO NOTHING`, the rollups and the traces summary upserted in it), at most two transactions at once.
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

  /** One transaction for the batch; when it fails, each write alone, so a bad one fails only its own request. */
  async #writeBatch(batch: PendingWrite[]): Promise<void> {
    try {
      const results = await this.#transaction(batch);
      for (const [index, write] of batch.entries()) write.resolve(results[index] as InsertResult);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(this.typed(error));
        return;
      }
    }
    for (const write of batch)
      await this.#transaction([write]).then(
        ([result]) => write.resolve(result as InsertResult),
        (error: unknown) => write.reject(this.typed(error)),
      );
  }

  async #transaction(batch: PendingWrite[]): Promise<InsertResult[]> {
    // In unique_id order, so two instances inserting the same logs take their row locks in one order.
    const rows = batch
      .flatMap((write, writeIndex) =>
        write.rows.map((row, i) => ({ row, log: write.logs[i] as RequestLog, writeIndex })),
      )
      .sort((a, b) => (String(a.row.unique_id) < String(b.row.unique_id) ? -1 : 1));
    return inTransaction(this.pool, async (client) => {
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
