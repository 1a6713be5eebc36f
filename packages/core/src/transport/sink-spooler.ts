import type { LogEntry } from "./log-entry.js";
import type { LogDeliveryIssue, SinkCounters } from "./log-sink.js";
import type { Spool } from "./spool.js";

export interface SpoolerHooks {
  counters: SinkCounters;
  report(issue: LogDeliveryIssue): void;
  /** Entries now safe on disk, or lost: no longer the sink's to deliver. */
  settled(entries: LogEntry[]): void;
  /** The spool turned out unusable: keep these in memory if they fit. Returns false when the sink is closed. */
  keepInMemory(entries: LogEntry[], reason: string): boolean;
}

const ids = (entries: readonly LogEntry[]) => entries.map((entry) => entry.id);

/**
 * Where a sink puts the logs it cannot deliver now: the append-only spool, or — without one, or once the spool
 * directory proves unusable (reported once) — memory within the queue bounds, past which logs are dropped and
 * reported. Never silent.
 */
export class SinkSpooler {
  #spool: Spool | undefined;
  readonly #hooks: SpoolerHooks;
  readonly #writes = new Set<Promise<void>>();
  #wroteSinceReplay = false;

  constructor(spool: Spool | undefined, hooks: SpoolerHooks) {
    this.#spool = spool;
    this.#hooks = hooks;
  }

  get spool(): Spool | undefined {
    return this.#spool;
  }

  /** Writes in progress: a flush is not done while any is. */
  get writing(): number {
    return this.#writes.size;
  }

  /** Whether something was spooled since the last call: a replay is due once the endpoint answers. */
  takeWroteSinceReplay(): boolean {
    const wrote = this.#wroteSinceReplay;
    this.#wroteSinceReplay = false;
    return wrote;
  }

  write(entries: LogEntry[], reason: string): void {
    if (entries.length === 0) return;
    const spool = this.#spool;
    const { counters, report } = this.#hooks;
    if (!spool) {
      counters.dropped += entries.length;
      this.#hooks.settled(entries);
      report({ kind: "dropped", message: `no spool configured; dropped (${reason})`, logIds: ids(entries) });
      return;
    }
    const write: Promise<void> = spool.append(entries.map((entry) => entry.json)).then(
      () => {
        this.#writes.delete(write);
        counters.spooled += entries.length;
        this.#wroteSinceReplay = true;
        report({ kind: "spooled", message: `spooled to ${spool.dir} (${reason})`, logIds: ids(entries) });
        this.#hooks.settled(entries);
      },
      (error: unknown) => {
        this.#writes.delete(write);
        if ((error as { code?: string }).code === "spool_unavailable" && this.#spool) {
          // Found once: from now on the sink works in memory only.
          this.#spool = undefined;
          report({
            kind: "spool-failed",
            message: `${(error as Error).message}; spooling is off, undeliverable logs stay in memory within the queue bounds`,
            logIds: [],
          });
          if (this.#hooks.keepInMemory(entries, "spool unavailable")) return;
        }
        counters.dropped += entries.length;
        report({
          kind: "spool-failed",
          message: `spool write failed: ${String(error)}`,
          logIds: ids(entries),
        });
        this.#hooks.settled(entries);
      },
    );
    this.#writes.add(write);
  }

  /** For `process.on("exit")`: what is left, written synchronously. */
  writeSync(lines: string[]): void {
    if (!this.#spool || lines.length === 0) return;
    try {
      this.#spool.appendSync(lines);
      this.#hooks.counters.spooled += lines.length;
    } catch {
      this.#hooks.counters.dropped += lines.length;
    }
  }

  async idle(): Promise<void> {
    await Promise.all(this.#writes);
  }
}
