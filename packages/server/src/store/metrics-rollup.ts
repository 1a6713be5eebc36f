import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { LogFilters } from "./log-store.js";
import type { RollupCell } from "./metrics-cells.js";
import {
  cellOfStored,
  RollupAccumulator,
  type RollupRow,
  rollupRowColumns,
  rollupWhere,
  sum,
} from "./rollup-accumulator.js";
import { type RollupKind, rollupFilter } from "./rollup-kinds.js";

/** A rollup's table in SQLite: the period, the dimensions, the sums and the two histograms (JSON). */
export const rollupTableSql = (kind: RollupKind): string => `CREATE TABLE ${kind.table} (
  ${kind.column} INTEGER NOT NULL, ${kind.dims.map((dim) => `${dim} TEXT NOT NULL`).join(", ")},
  count INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL, cost REAL NOT NULL, latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
  PRIMARY KEY (${kind.column}, ${kind.dims.join(", ")})
) WITHOUT ROWID`;

// Enough for the cells a busy ingest keeps touching (this minute, hour and day; the active customers), not a copy
// of the table: a cell that fell out is read back once.
const WRITTEN_CELLS = 2_000;

/**
 * One rollup kept in SQLite beside the logs (see `rollupKinds`), so all-time metrics read thousands of cells
 * instead of millions of rows. Logs are counted as they are stored and written to the table by `flush()`
 * (`SqliteRollups` decides when); reads see both.
 */
export class MetricsRollup {
  readonly #pending: RollupAccumulator;
  /** The cells this writer wrote last, as written (oldest first, at most `WRITTEN_CELLS`). */
  readonly #written = new Map<string, RollupCell>();
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;

  constructor(
    private readonly db: DatabaseSync,
    readonly kind: RollupKind,
  ) {
    const { table, column, dims } = kind;
    this.#pending = new RollupAccumulator(kind);
    this.#select = db.prepare(
      `SELECT * FROM ${table} WHERE ${column} = ? AND ${dims.map((dim) => `${dim} = ?`).join(" AND ")}`,
    );
    // Sums written before they were bounded may exceed 2^53: read as BigInt, never as a throw.
    this.#select.setReadBigInts(true);
    // An upsert that rewrites the sums in place: cheaper than REPLACE's delete and insert.
    const sums = ["count", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "cost"];
    this.#upsert = db.prepare(
      `INSERT INTO ${table} VALUES (${Array.from({ length: dims.length + 9 }, () => "?").join(", ")})
       ON CONFLICT (${column}, ${dims.join(", ")}) DO UPDATE SET
       ${[...sums, "latency_hist", "ttft_hist"].map((name) => `${name} = excluded.${name}`).join(", ")}`,
    );
  }

  /** Counts one stored log; written by `flush()` inside the same transaction. */
  add(row: RollupRow): void {
    this.#pending.add(row);
  }

  /**
   * Merges the pending cells into the table (call inside the write transaction). Cells written lately are kept
   * here as written, so a busy cell is not read and parsed back on every batch: SQLite has one writer, this one.
   */
  flush(): void {
    for (const cell of this.#pending.take()) {
      const period = cell.start / this.kind.periodMs;
      const dims = this.kind.dims.map((dim) => cell.dims[dim] as string);
      const key = `${period}\u0000${dims.join("\u0000")}`;
      // The cell as written is this writer's own copy: added to in place (a rolled-back batch clears them all).
      const merged = this.#written.get(key) ?? this.#stored(period, dims);
      if (merged) {
        merged.count = sum(cell.count, merged.count);
        merged.errors = sum(cell.errors, merged.errors);
        merged.promptTokens = sum(cell.promptTokens, merged.promptTokens);
        merged.completionTokens = sum(cell.completionTokens, merged.completionTokens);
        merged.totalTokens = sum(cell.totalTokens, merged.totalTokens);
        merged.cost += cell.cost;
        merge(merged.latency, cell.latency);
        merge(merged.ttft, cell.ttft);
      }
      const written = merged ?? cell;
      this.#upsert.run(
        period,
        ...dims,
        written.count,
        written.errors,
        written.promptTokens,
        written.completionTokens,
        written.totalTokens,
        written.cost,
        JSON.stringify(written.latency),
        JSON.stringify(written.ttft),
      );
      this.#written.delete(key);
      this.#written.set(key, written);
      if (this.#written.size > WRITTEN_CELLS)
        this.#written.delete(this.#written.keys().next().value as string);
    }
  }

  #stored(period: number, dims: string[]): RollupCell | undefined {
    const row = this.#select.get(period, ...dims) as Record<string, unknown> | undefined;
    return row ? cellOfStored(this.kind, row) : undefined;
  }

  /** After a rolled-back transaction: what was written in it never happened. */
  discard(): void {
    this.#pending.discard();
    this.#written.clear();
  }

  /** Rebuilds the table from the logs (the migration that introduces it, or a repair). */
  rebuild(): void {
    this.db.exec(`DELETE FROM ${this.kind.table}`);
    this.#written.clear();
    const rows = this.db
      .prepare(`SELECT ${rollupRowColumns(this.kind.dims)} FROM logs`)
      .iterate() as Iterable<RollupRow>;
    for (const row of rows) this.add(row);
    this.flush();
  }

  /** Logs counted and not yet written, in the filters' window and dimensions. */
  #pendingCells(filters: LogFilters): RollupCell[] {
    const { fromPeriod, toPeriod, dims } = rollupFilter(this.kind, filters);
    return [...this.#pending.peek()].filter((cell) => {
      const period = cell.start / this.kind.periodMs;
      if ((fromPeriod !== undefined && period < fromPeriod) || (toPeriod !== undefined && period > toPeriod))
        return false;
      return dims.every(([dim, value]) => cell.dims[dim] === value);
    });
  }

  get pendingCells(): number {
    return this.#pending.size;
  }

  /** The cells of the whole periods in the filters' window, matching their dimensions (written or not). */
  cells(filters: LogFilters): RollupCell[] {
    return [...this.#storedCells(filters), ...this.#pendingCells(filters)];
  }

  #storedCells(filters: LogFilters): RollupCell[] {
    const { table } = this.kind;
    const { sql, params } = rollupWhere(this.kind, filters);
    const statement = this.db.prepare(`SELECT * FROM ${table} ${sql}`);
    statement.setReadBigInts(true);
    const rows = statement.all(...params) as Record<string, bigint | number | string>[];
    return rows.map((row) => cellOfStored(this.kind, row));
  }
}

function merge(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [bucket, count] of Object.entries(from)) into[bucket] = (into[bucket] ?? 0) + count;
  return into;
}
