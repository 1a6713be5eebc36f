import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { LogFilters } from "./log-store.js";
import type { RollupCell } from "./metrics-cells.js";
import { MetricsRollup } from "./metrics-rollup.js";
import { type RollupRow, rollupRowColumns } from "./rollup-accumulator.js";
import { type RollupKind, rollupKinds } from "./rollup-kinds.js";

/** How many cells may wait in memory at most before they are written whatever the time. */
const MAX_PENDING_CELLS = 50_000;

/**
 * SQLite's rollups, written behind the logs: logs are counted when their transaction commits and the cells are
 * written about once a second in a transaction of their own, with the last log sequence they cover (the
 * watermark). A busy ingest then writes each cell once a second, not once a batch. Reads see the cells written
 * and the ones waiting. A crash loses only counts the logs still hold: on open, logs past the watermark are
 * counted again.
 */
export class SqliteRollups {
  readonly rollups: MetricsRollup[];
  #pendingSeq = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #moveWatermark: StatementSync;

  constructor(
    private readonly db: DatabaseSync,
    private readonly onError: (error: unknown) => void = () => {},
    flushMs = 1_000,
  ) {
    this.#moveWatermark = db.prepare("UPDATE rollup_watermark SET seq = ? WHERE id = 1");
    this.rollups = [rollupKinds.hour, rollupKinds.minute, rollupKinds.customerDay].map(
      (kind) => new MetricsRollup(db, kind),
    );
    this.#recount();
    this.#timer = setInterval(() => this.flush(), flushMs);
    this.#timer.unref();
  }

  get kinds(): RollupKind[] {
    return this.rollups.map((rollup) => rollup.kind);
  }

  /** Counts logs whose transaction committed (each row with its `seq`). */
  counted(rows: readonly RollupRow[]): void {
    for (const row of rows) {
      for (const rollup of this.rollups) rollup.add(row);
      this.#pendingSeq = Math.max(this.#pendingSeq, Number(row.seq));
    }
    if (this.rollups.some((rollup) => rollup.pendingCells > MAX_PENDING_CELLS)) this.flush();
  }

  cells(kind: RollupKind, filters: LogFilters): RollupCell[] {
    return this.rollups.find((rollup) => rollup.kind === kind)?.cells(filters) ?? [];
  }

  /** Writes the waiting cells and moves the watermark, in one transaction. */
  flush(): void {
    if (this.rollups.every((rollup) => rollup.pendingCells === 0)) return;
    const seq = this.#pendingSeq;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      for (const rollup of this.rollups) rollup.flush();
      this.#moveWatermark.run(seq);
      this.db.exec("COMMIT");
    } catch (error) {
      try {
        this.db.exec("ROLLBACK");
      } catch {}
      // What was taken for this write is gone from memory: count it again from the logs.
      for (const rollup of this.rollups) rollup.discard();
      this.#recount();
      this.onError(error);
    }
  }

  /** Counts the logs past the watermark (after a crash, or a failed flush) into the waiting cells. */
  #recount(): void {
    const { seq } = this.db.prepare("SELECT seq FROM rollup_watermark WHERE id = 1").get() as { seq: number };
    const dims = [...new Set(this.rollups.flatMap((rollup) => rollup.kind.dims))];
    const rows = this.db
      .prepare(`SELECT seq, ${rollupRowColumns(dims)} FROM logs WHERE seq > ? ORDER BY seq`)
      .iterate(seq) as Iterable<RollupRow>;
    this.#pendingSeq = seq;
    for (const row of rows) {
      for (const rollup of this.rollups) rollup.add(row);
      this.#pendingSeq = Number(row.seq);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
