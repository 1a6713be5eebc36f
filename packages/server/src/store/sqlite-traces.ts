import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { RequestLog } from "@keyway/core";
import type { SqlValue } from "./log-query.js";
import { mergeTraces, TraceAccumulator, traceColumns, traceOfRow } from "./trace-summary.js";

/** The traces summary in SQLite: counted in the write transaction of the spans it counts, merged row by row. */
export class SqliteTraces {
  readonly #pending = new TraceAccumulator();
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.#select = db.prepare("SELECT * FROM traces WHERE trace_unique_id = ?");
    this.#upsert = db.prepare(
      `INSERT OR REPLACE INTO traces VALUES (${traceColumns.map(() => "?").join(", ")})`,
    );
  }

  add(log: RequestLog, row: Record<string, SqlValue>): void {
    this.#pending.add(log, row);
  }

  /** Merges the pending summaries into the table (call inside the write transaction). */
  flush(): void {
    for (const summary of this.#pending.take()) {
      const old = this.#select.get(summary.trace_unique_id) as Record<string, unknown> | undefined;
      const merged = old ? mergeTraces(traceOfRow(old), summary) : summary;
      this.#upsert.run(...traceColumns.map((column) => merged[column]));
    }
  }

  discard(): void {
    this.#pending.discard();
  }

  /** Rebuilds the table from the stored spans (the migration that introduces it, or a repair). */
  rebuild(): void {
    this.db.exec("DELETE FROM traces");
    const rows = this.db
      .prepare(
        "SELECT body, ts, trace_unique_id, total_tokens, cost, is_error, customer_identifier FROM logs WHERE trace_unique_id IS NOT NULL",
      )
      .iterate() as Iterable<Record<string, SqlValue>>;
    for (const row of rows) this.add(JSON.parse(String(row.body)) as RequestLog, row);
    this.flush();
  }
}
