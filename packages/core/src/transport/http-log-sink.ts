import type { RequestLogDraft } from "../log/request-log.js";
import { BatchSender } from "./batch-sender.js";
import { FlushWaiters } from "./flush-waiters.js";
import {
  type HttpLogSinkOptions,
  prepareOptions,
  type SinkLimits,
  sinkLimits,
  spoolOf,
  warnOnLoss,
} from "./http-log-sink-options.js";
import type { LogEntry } from "./log-entry.js";
import { LogIntake } from "./log-intake.js";
import { LogQueue } from "./log-queue.js";
import { emptyCounters, type LogDeliveryIssue, type LogSink, type SinkCounters } from "./log-sink.js";
import { HttpLogTransport } from "./log-transport.js";
import { realScheduler, type Scheduler } from "./scheduler.js";
import { registerSinkExitHandlers } from "./sink-exit-handlers.js";
import { SinkSpooler } from "./sink-spooler.js";
import { SpoolReplayer } from "./spool-replayer.js";

export type { HttpLogSinkOptions } from "./http-log-sink-options.js";

/**
 * Posts logs to a Respan-compatible endpoint without ever blocking, throwing into, or losing logs of its caller.
 * `log()` only pushes onto an array; on the next turn logs are prepared (redaction, truncation, serialisation) into
 * a bounded `LogQueue`; `BatchSender` sends batches through `HttpLogTransport` and acts on each result (retry,
 * split, spool); `SinkSpooler` keeps what cannot be delivered now, `SpoolReplayer` re-sends it; flushes wait on
 * `FlushWaiters`. This class wires them and owns the lifecycle: `flush`, `shutdown`, exit handlers.
 */
export class HttpLogSink implements LogSink {
  readonly counters: SinkCounters = emptyCounters();
  readonly #limits: SinkLimits;
  readonly #onError: (issue: LogDeliveryIssue) => void;
  readonly #scheduler: Scheduler;
  readonly #transport: HttpLogTransport;
  readonly #queue: LogQueue;
  readonly #waiters = new FlushWaiters();
  readonly #spooler: SinkSpooler;
  readonly #replayer: SpoolReplayer | undefined;
  readonly #replayEnabled: boolean;
  readonly #intake: LogIntake;
  readonly #sender: BatchSender;
  #pumpScheduled = false;
  #closed = false;
  #shutdown: Promise<void> | undefined;
  #unregisterExit: (() => void) | undefined;

  constructor(options: HttpLogSinkOptions) {
    if (!/^https?:\/\//.test(options.baseURL))
      throw new TypeError(`HttpLogSink: baseURL must be an http(s) URL, got "${options.baseURL}"`);
    this.#limits = sinkLimits(options);
    this.#intake = new LogIntake(prepareOptions(options), this.counters, (issue) => this.#report(issue));
    this.#onError = options.onError ?? warnOnLoss();
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#transport = new HttpLogTransport({
      baseURL: options.baseURL.replace(/\/+$/, ""),
      apiKey: options.apiKey,
      route: options.route ?? "auto",
      requestTimeoutMs: this.#limits.requestTimeoutMs,
      fetch: options.fetch,
    });
    this.#queue = new LogQueue(this.#limits.maxQueueSize, this.#limits.maxQueueBytes);
    const spool = spoolOf(options);
    this.#spooler = new SinkSpooler(spool, {
      counters: this.counters,
      report: (issue) => this.#report(issue),
      settled: (entries) => {
        this.#replayer?.settle(entries);
        this.#settle();
      },
      keepInMemory: (entries, reason) => this.#keepInMemory(entries, reason),
    });
    this.#replayEnabled = options.replaySpool ?? true;
    this.#replayer = spool
      ? new SpoolReplayer(spool, {
          counters: this.counters,
          nextSeq: () => this.#intake.nextSeq(),
          closed: () => this.#closed,
          room: () => (this.#closed ? Promise.resolve() : this.#queue.room()),
          enqueue: (entry) => {
            this.#queue.push(entry);
            if (this.#queue.length >= this.#limits.maxBatchSize) this.#sender.dispatch();
          },
          respool: (entry) => this.#spooler.write([entry], "replay interrupted by shutdown"),
          dispatch: () => this.#sender.dispatch(),
          report: (issue) => this.#report(issue),
        })
      : undefined;
    this.#sender = new BatchSender({
      limits: this.#limits,
      queue: this.#queue,
      transport: this.#transport,
      spooler: this.#spooler,
      replayer: this.#replayer,
      replayEnabled: this.#replayEnabled,
      scheduler: this.#scheduler,
      random: options.random ?? Math.random,
      counters: this.counters,
      report: (issue) => this.#report(issue),
      closed: () => this.#closed,
      settled: () => this.#settle(),
    });
    if (this.#replayEnabled) this.#replayer?.startWatching();
  }

  /** What is held in memory right now: queued logs and their bytes, and logs in batches being sent or retried. */
  get pending(): { incoming: number; queued: number; queuedBytes: number; inBatches: number } {
    return {
      incoming: this.#intake.length,
      queued: this.#queue.length,
      queuedBytes: this.#queue.bytes,
      inBatches: this.#sender.inBatches,
    };
  }

  /** Accepts a log: O(1), synchronous, never throws, never touches the network. */
  log(log: RequestLogDraft): void {
    this.counters.accepted++;
    try {
      this.#intake.accept(log);
      this.#schedulePump();
    } catch (error) {
      // Nothing a caller does with a log may make logging throw; what could not be taken is said.
      this.counters.rejected++;
      this.#report({
        kind: "prepare-failed",
        message: `log could not be accepted: ${String(error)}`,
        logIds: [],
      });
    }
  }

  flush(): Promise<void> {
    return this.#flushUntil(this.#limits.flushTimeoutMs, false);
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await this.#flushUntil(this.#limits.shutdownTimeoutMs, true);
      this.#closed = true;
      this.#replayer?.stopWatching();
      this.#unregisterExit?.();
      this.#queue.wakeRoomWaiters(true);
      this.#sender.stopTimer();
      await this.#replayer?.running;
      await this.#spooler.idle();
      await this.#spooler.spool?.release();
      this.#transport.close();
    })();
    return this.#shutdown;
  }

  /** See `registerSinkExitHandlers`; `shutdown()` removes them. Returns a function that removes them. */
  registerExitHandlers(options: { signals?: boolean } = {}): () => void {
    this.#unregisterExit?.();
    this.#unregisterExit = registerSinkExitHandlers(
      {
        hasPending: () => !this.#closed && this.#unsettledCount() > 0,
        // Bounded like a shutdown: an unreachable endpoint must not hold the exiting process for long.
        flushForExit: () => this.#flushUntil(this.#limits.shutdownTimeoutMs, false),
        spoolPendingSync: () => this.#spoolEverythingSync(),
        shutdown: () => this.shutdown(),
      },
      options,
    );
    return this.#unregisterExit;
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    this.#scheduler.defer(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Prepares what `log()` accepted and queues it; past the queue's bounds (or after shutdown) it is spooled. */
  #pump(): void {
    const overflow: LogEntry[] = [];
    for (const entry of this.#intake.prepare()) {
      if (this.#closed || !this.#queue.fits(entry)) overflow.push(entry);
      else this.#queue.push(entry);
    }
    this.#spooler.write(overflow, this.#closed ? "logged after shutdown" : "queue full");
    this.#sender.dispatch();
    this.#settle();
  }

  /** The spool proved unusable: these stay in memory as far as the queue allows; the rest are dropped, said. */
  #keepInMemory(entries: LogEntry[], reason: string): boolean {
    if (this.#closed) return false;
    const dropped = this.#queue.putBack(entries);
    if (dropped.length > 0) {
      this.counters.dropped += dropped.length;
      const logIds = dropped.map((entry) => entry.id);
      this.#report({ kind: "dropped", message: `queue full and no spool; dropped (${reason})`, logIds });
      this.#replayer?.settle(dropped);
    }
    this.#settle();
    return true;
  }

  #spoolEverythingSync(): void {
    const entries = [...this.#intake.prepare(), ...this.#queue.drain(), ...this.#sender.strand()];
    this.#spooler.writeSync(entries.map((entry) => entry.json));
  }

  #lowestUnsettled(): number {
    return Math.min(this.#intake.lowestSeq(), this.#queue.lowestSeq(), this.#sender.lowestSeq());
  }

  #unsettledCount(): number {
    return this.#intake.length + this.#queue.length + this.#spooler.writing + this.#sender.inBatches;
  }

  #settle(): void {
    this.#queue.wakeRoomWaiters();
    this.#waiters.settle(this.#spooler.writing > 0 ? Number.NEGATIVE_INFINITY : this.#lowestUnsettled());
  }

  /**
   * Waits until every log accepted so far is settled; after `timeoutMs` — a timer that keeps the process alive
   * meanwhile — spools whatever is still pending, and with `close` takes no more sends.
   */
  async #flushUntil(timeoutMs: number, close: boolean): Promise<void> {
    const target = this.#intake.seq;
    await this.#sender.urgently(async () => {
      this.#pump();
      const settled = this.#waiters.wait(target);
      this.#settle();
      let timer: unknown;
      const timedOut = await Promise.race([
        settled.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = this.#scheduler.setTimeout(() => resolve(true), timeoutMs, { keepAlive: true });
        }),
      ]);
      this.#scheduler.clearTimeout(timer);
      if (!timedOut) return;
      if (close) this.#closed = true;
      const stranded = [...this.#queue.drain(), ...this.#sender.strand()];
      this.#spooler.write(
        stranded,
        close ? "not delivered before shutdown" : "not delivered within the flush timeout",
      );
      await settled;
    });
  }

  #report(issue: LogDeliveryIssue): void {
    try {
      this.#onError(issue);
    } catch {
      // A failing hook must not break delivery.
    }
  }
}
