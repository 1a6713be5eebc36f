import { type PrepareLogOptions, serializePreparedLog } from "../log/prepare-log.js";
import type { RequestLog, RequestLogDraft } from "../log/request-log.js";
import { withLogId } from "../log/with-log-id.js";
import type { LogEntry } from "./log-entry.js";
import type { LogDeliveryIssue, SinkCounters } from "./log-sink.js";

/**
 * The caller's side of a sink: `accept` numbers a log, stamps its id and keeps it — O(1), nothing else on the
 * caller's path; `prepare` later redacts, truncates and serializes what was accepted, reporting what cannot be.
 */
export class LogIntake {
  #seq = 0;
  #accepted: { seq: number; log: RequestLog }[] = [];

  constructor(
    private readonly prepareOptions: PrepareLogOptions,
    private readonly counters: SinkCounters,
    private readonly report: (issue: LogDeliveryIssue) => void,
  ) {}

  /** The number of the last log accepted (or replayed). */
  get seq(): number {
    return this.#seq;
  }

  get length(): number {
    return this.#accepted.length;
  }

  lowestSeq(): number {
    return this.#accepted[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  /** A sequence number for an entry that did not come through `accept` (a replayed one). */
  nextSeq(): number {
    return ++this.#seq;
  }

  accept(log: RequestLogDraft): void {
    this.#accepted.push({ seq: ++this.#seq, log: withLogId(log) });
  }

  prepare(): LogEntry[] {
    const entries: LogEntry[] = [];
    for (const { seq, log } of this.#accepted.splice(0)) {
      try {
        const json = serializePreparedLog(log, this.prepareOptions);
        if (json !== null) entries.push({ seq, id: String(log.unique_id), json }); // null: the redact hook dropped it
      } catch (error) {
        this.counters.rejected++;
        const message = `log could not be prepared: ${String(error)}`;
        this.report({ kind: "prepare-failed", message, logIds: [String(log?.unique_id)] });
      }
    }
    return entries;
  }
}
