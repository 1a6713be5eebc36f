import type { LogEntry, ReplayFile } from "./log-entry.js";
import type { LogDeliveryIssue, SinkCounters } from "./log-sink.js";
import type { Spool } from "./spool.js";

export interface ReplayHooks {
  counters: SinkCounters;
  nextSeq(): number;
  closed(): boolean;
  /** Resolves once the queue has room for more (replay never floods memory). */
  room(): Promise<void>;
  enqueue(entry: LogEntry): void;
  respool(entry: LogEntry): void;
  dispatch(): void;
  report(issue: LogDeliveryIssue): void;
}

/**
 * Re-sends spooled logs: claims the spool's files (its own earlier ones, other sinks', stale claims), feeds their
 * lines into the queue as room frees up, and deletes each file once every log read from it is settled.
 */
export class SpoolReplayer {
  #running: Promise<void> | undefined;
  #rescan: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly spool: Spool,
    private readonly hooks: ReplayHooks,
  ) {}

  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Replays what it can claim; `staleClaimsOnly` takes only dead owners' claims (the periodic re-scan). */
  start(staleClaimsOnly = false): void {
    if (this.#running) return;
    this.#running = this.#replay(staleClaimsOnly)
      .catch((error: unknown) =>
        this.hooks.report({
          kind: "spool-failed",
          message: `spool replay failed: ${String(error)}`,
          logIds: [],
        }),
      )
      .finally(() => {
        this.#running = undefined;
      });
  }

  /**
   * A claim left by a process killed moments ago is still inside its lease when this sink starts (a container
   * restarted at once): replay now, then look again about once a lease, so its logs wait a lease or two, not
   * the next restart.
   */
  startWatching(): void {
    this.start();
    this.#rescan ??= setInterval(() => {
      if (!this.hooks.closed()) this.start(true);
    }, this.spool.leaseMs);
    this.#rescan.unref();
  }

  stopWatching(): void {
    clearInterval(this.#rescan);
  }

  /** Entries are done with (delivered, rejected, spooled again): their files shrink towards deletion. */
  settle(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      const file = entry.origin;
      if (!file) continue;
      file.pending--;
      if (file.readDone && file.pending === 0) void this.spool.remove(file.path);
    }
  }

  async #replay(staleClaimsOnly: boolean): Promise<void> {
    const files = await this.spool.claim({ staleClaimsOnly });
    // Let an append that opened a file just before it was claimed land before it is read.
    if (files.length > 0) await new Promise((resolve) => setTimeout(resolve, 50).unref());
    for (const path of files) {
      const file: ReplayFile = { path, pending: 0, readDone: false };
      for await (const line of this.spool.read(path)) {
        await this.hooks.room();
        let id = "";
        try {
          id = String((JSON.parse(line) as { unique_id?: unknown }).unique_id ?? "");
        } catch {}
        file.pending++;
        this.hooks.counters.replayed++;
        const entry: LogEntry = { seq: this.hooks.nextSeq(), id, json: line, origin: file };
        if (this.hooks.closed()) this.hooks.respool(entry);
        else this.hooks.enqueue(entry);
      }
      file.readDone = true;
      if (file.pending === 0) await this.spool.remove(path);
      this.hooks.dispatch();
    }
  }
}
