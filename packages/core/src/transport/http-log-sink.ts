import { stderrWarner } from "../errors/stderr-warner.js";
import { type PrepareLogOptions, serializePreparedLog } from "../log/prepare-log.js";
import type { RequestLog, RequestLogDraft } from "../log/request-log.js";
import { SecretMatcher } from "../log/secret-matcher.js";
import { withLogId } from "../log/with-log-id.js";
import { backoffDelay } from "./backoff.js";
import { FlushWaiters } from "./flush-waiters.js";
import { type HttpLogSinkOptions, type SinkLimits, sinkLimits } from "./http-log-sink-options.js";
import type { LogEntry } from "./log-entry.js";
import { LogQueue } from "./log-queue.js";
import type { LogDeliveryIssue, LogSink, SinkCounters } from "./log-sink.js";
import { HttpLogTransport, type SendResult } from "./log-transport.js";
import { realScheduler, type Scheduler } from "./scheduler.js";
import { registerSinkExitHandlers } from "./sink-exit-handlers.js";
import { SinkSpooler } from "./sink-spooler.js";
import { defaultSpoolDir, Spool } from "./spool.js";
import { SpoolReplayer } from "./spool-replayer.js";

export type { HttpLogSinkOptions } from "./http-log-sink-options.js";

interface Batch {
  entries: LogEntry[];
  attempt: number;
  timer: unknown;
  inFlight: boolean;
}

/** The default `onError`: logs that are lost (rejected, dropped, unspoolable) are never lost silently. */
function warnOnLoss(): (issue: LogDeliveryIssue) => void {
  const warn = stderrWarner("log sink");
  return (issue) => {
    if (issue.kind !== "retrying" && issue.kind !== "spooled") warn(`${issue.kind}: ${issue.message}`);
  };
}

/**
 * Posts logs to a Respan-compatible endpoint without ever blocking, throwing into, or losing logs of its caller.
 * `log()` only pushes onto an array; preparation (redaction, truncation, serialisation) and batching happen on the
 * next turn; `HttpLogTransport` posts and says how it went; this class decides what follows — retry with backoff
 * and jitter (`Retry-After` honoured), split a refused batch until the bad log stands alone, or hand the logs to
 * the spooler (the append-only spool on disk, re-sent by `SpoolReplayer` once the endpoint answers again).
 */
export class HttpLogSink implements LogSink {
  readonly counters: SinkCounters = {
    accepted: 0,
    delivered: 0,
    retried: 0,
    spooled: 0,
    rejected: 0,
    dropped: 0,
    replayed: 0,
  };
  readonly #limits: SinkLimits;
  readonly #prepare: PrepareLogOptions;
  readonly #onError: (issue: LogDeliveryIssue) => void;
  readonly #random: () => number;
  readonly #scheduler: Scheduler;
  readonly #transport: HttpLogTransport;
  readonly #queue: LogQueue;
  readonly #waiters = new FlushWaiters();
  readonly #spooler: SinkSpooler;
  readonly #replayer: SpoolReplayer | undefined;
  readonly #replayEnabled: boolean;
  #seq = 0;
  #incoming: { seq: number; log: RequestLog }[] = [];
  #batches = new Set<Batch>();
  #pumpScheduled = false;
  #batchTimer: unknown;
  #urgent = 0;
  #closed = false;
  #shutdown: Promise<void> | undefined;
  #roomWaiters: (() => void)[] = [];
  #unregisterExit: (() => void) | undefined;

  constructor(options: HttpLogSinkOptions) {
    if (!/^https?:\/\//.test(options.baseURL))
      throw new TypeError(`HttpLogSink: baseURL must be an http(s) URL, got "${options.baseURL}"`);
    this.#limits = sinkLimits(options);
    this.#prepare = {
      // Compiled once: every log is checked against them.
      secrets: new SecretMatcher([...(options.secrets ?? []), ...(options.apiKey ? [options.apiKey] : [])]),
      ...(options.redact ? { redact: options.redact } : {}),
      ...(options.maxStringChars !== undefined ? { maxStringChars: options.maxStringChars } : {}),
    };
    this.#onError = options.onError ?? warnOnLoss();
    this.#random = options.random ?? Math.random;
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#transport = new HttpLogTransport({
      baseURL: options.baseURL.replace(/\/+$/, ""),
      apiKey: options.apiKey,
      route: options.route ?? "auto",
      requestTimeoutMs: this.#limits.requestTimeoutMs,
      fetch: options.fetch,
    });
    this.#queue = new LogQueue(this.#limits.maxQueueSize, this.#limits.maxQueueBytes);
    const spool =
      options.spoolDir === false
        ? undefined
        : new Spool(options.spoolDir ?? defaultSpoolDir(), {
            ...(options.spoolLeaseMs !== undefined ? { leaseMs: options.spoolLeaseMs } : {}),
          });
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
          nextSeq: () => ++this.#seq,
          closed: () => this.#closed,
          room: () => this.#room(),
          enqueue: (entry) => {
            this.#queue.push(entry);
            if (this.#queue.length >= this.#limits.maxBatchSize) this.#dispatch();
          },
          respool: (entry) => this.#spooler.write([entry], "replay interrupted by shutdown"),
          dispatch: () => this.#dispatch(),
          report: (issue) => this.#report(issue),
        })
      : undefined;
    if (this.#replayEnabled) this.#replayer?.start();
  }

  /** What is held in memory right now: queued logs and their bytes, and logs in batches being sent or retried. */
  get pending(): { incoming: number; queued: number; queuedBytes: number; inBatches: number } {
    let inBatches = 0;
    for (const batch of this.#batches) inBatches += batch.entries.length;
    return {
      incoming: this.#incoming.length,
      queued: this.#queue.length,
      queuedBytes: this.#queue.bytes,
      inBatches,
    };
  }

  /** Accepts a log: O(1), synchronous, never throws, never touches the network. */
  log(log: RequestLogDraft): void {
    this.counters.accepted++;
    try {
      this.#incoming.push({ seq: ++this.#seq, log: withLogId(log) });
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
      this.#unregisterExit?.();
      for (const resolve of this.#roomWaiters.splice(0)) resolve();
      this.#scheduler.clearTimeout(this.#batchTimer);
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
    const incoming = this.#incoming;
    this.#incoming = [];
    const overflow: LogEntry[] = [];
    for (const { seq, log } of incoming) {
      let json: string | null;
      try {
        json = serializePreparedLog(log, this.#prepare);
      } catch (error) {
        this.counters.rejected++;
        this.#report({
          kind: "prepare-failed",
          message: `log could not be prepared: ${String(error)}`,
          logIds: [String(log?.unique_id)],
        });
        continue;
      }
      if (json === null) continue; // the user's redact hook dropped it
      const entry: LogEntry = { seq, id: String(log.unique_id), json };
      if (this.#closed || !this.#queue.fits(entry)) overflow.push(entry);
      else this.#queue.push(entry);
    }
    this.#spooler.write(overflow, this.#closed ? "logged after shutdown" : "queue full");
    this.#dispatch();
    this.#settle();
  }

  /** Starts sends while slots are free: full batches at once, a partial one after `flushIntervalMs` or on flush. */
  #dispatch(): void {
    const { maxBatchSize, maxBatchBytes, maxConcurrentSends, flushIntervalMs } = this.#limits;
    let busy = 0;
    for (const batch of this.#batches) if (batch.inFlight || batch.timer !== undefined) busy++;
    let slots = maxConcurrentSends - busy;
    const size = this.#transport.single ? 1 : maxBatchSize;
    while (
      slots > 0 &&
      this.#queue.length > 0 &&
      (this.#queue.length >= size || this.#urgent > 0 || this.#closed)
    ) {
      this.#send({
        entries: this.#queue.take(size, maxBatchBytes),
        attempt: 0,
        timer: undefined,
        inFlight: false,
      });
      slots--;
    }
    if (this.#queue.length > 0 && this.#batchTimer === undefined && slots > 0) {
      this.#batchTimer = this.#scheduler.setTimeout(() => {
        this.#batchTimer = undefined;
        this.#urgent++;
        this.#dispatch();
        this.#urgent--;
      }, flushIntervalMs);
    }
  }

  #send(batch: Batch): void {
    batch.inFlight = true;
    this.#batches.add(batch);
    void this.#transport
      .send(batch.entries.map((entry) => entry.json))
      .then((result) => this.#after(batch, result));
  }

  /** What follows a send, decided from its result value. */
  #after(batch: Batch, result: SendResult): void {
    batch.inFlight = false;
    // A batch no longer held was handed to the spool at a timeout; the endpoint dedupes a late success.
    if (!this.#batches.delete(batch)) return;
    const { entries } = batch;
    const ids = () => entries.map((entry) => entry.id);
    if (result.kind === "delivered") {
      this.counters.delivered += entries.length;
      this.#replayer?.settle(entries);
      if (
        !this.#closed &&
        this.#replayEnabled &&
        !this.#replayer?.running &&
        this.#spooler.takeWroteSinceReplay()
      )
        this.#replayer?.start();
    } else if (result.kind === "no-batch-route") {
      this.#queue.unshift(entries);
    } else if (result.kind === "retryable") {
      if (this.#closed || batch.attempt >= this.#limits.maxRetries) {
        this.#spooler.write(entries, `endpoint unavailable (${result.status || result.reason})`);
      } else {
        const { backoffBaseMs, backoffMaxMs } = this.#limits;
        const delay = Math.min(
          Math.max(
            result.retryAfterMs ?? 0,
            backoffDelay(batch.attempt, backoffBaseMs, backoffMaxMs, this.#random),
          ),
          Math.max(backoffMaxMs, 60_000),
        );
        batch.attempt++;
        this.counters.retried += entries.length;
        this.#report({
          kind: "retrying",
          status: result.status,
          message: `retry ${batch.attempt} in ${delay} ms: ${result.status || result.reason}`,
          logIds: ids(),
        });
        this.#batches.add(batch);
        batch.timer = this.#scheduler.setTimeout(() => {
          batch.timer = undefined;
          this.#batches.delete(batch);
          this.#send(batch);
        }, delay);
      }
    } else if ([400, 413, 422].includes(result.status) && entries.length > 1) {
      // One bad log must not sink its neighbours: split until the bad one stands alone.
      const half = Math.ceil(entries.length / 2);
      this.#send({ entries: entries.slice(0, half), attempt: 0, timer: undefined, inFlight: false });
      this.#send({ entries: entries.slice(half), attempt: 0, timer: undefined, inFlight: false });
    } else {
      this.counters.rejected += entries.length;
      this.#replayer?.settle(entries);
      this.#report({
        kind: "rejected",
        status: result.status,
        message: `endpoint refused ${entries.length} log(s) with ${result.status}: ${result.reason}`,
        logIds: ids(),
      });
    }
    this.#dispatch();
    this.#settle();
  }

  /** Puts entries back at the front of the queue, as many as its bounds allow; the rest are dropped. */
  #keepInMemory(entries: LogEntry[], reason: string): boolean {
    if (this.#closed) return false;
    const kept: LogEntry[] = [];
    for (const entry of entries) {
      if (this.#queue.length + kept.length >= this.#queue.maxSize) break;
      kept.push(entry);
    }
    this.#queue.unshift(kept);
    const dropped = entries.slice(kept.length);
    if (dropped.length > 0) {
      this.counters.dropped += dropped.length;
      this.#report({
        kind: "dropped",
        message: `queue full and no spool; dropped (${reason})`,
        logIds: dropped.map((entry) => entry.id),
      });
      this.#replayer?.settle(dropped);
    }
    this.#settle();
    return true;
  }

  #spoolEverythingSync(): void {
    const lines: string[] = [];
    for (const { log } of this.#incoming.splice(0)) {
      try {
        const json = serializePreparedLog(log, this.#prepare);
        if (json !== null) lines.push(json);
      } catch (error) {
        this.counters.rejected++;
        this.#report({
          kind: "prepare-failed",
          message: `log could not be prepared: ${String(error)}`,
          logIds: [],
        });
      }
    }
    for (const entry of this.#queue.drain()) lines.push(entry.json);
    for (const batch of this.#batches) for (const entry of batch.entries) lines.push(entry.json);
    this.#batches.clear();
    this.#spooler.writeSync(lines);
  }

  #room(): Promise<void> {
    if (this.#closed || this.#queue.length < this.#limits.maxQueueSize / 2) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  #lowestUnsettled(): number {
    let lowest = this.#incoming[0]?.seq ?? Number.POSITIVE_INFINITY;
    lowest = Math.min(lowest, this.#queue.lowestSeq());
    for (const batch of this.#batches)
      for (const entry of batch.entries) lowest = Math.min(lowest, entry.seq);
    return lowest;
  }

  #unsettledCount(): number {
    let count = this.#incoming.length + this.#queue.length + this.#spooler.writing;
    for (const batch of this.#batches) count += batch.entries.length;
    return count;
  }

  #settle(): void {
    if (this.#roomWaiters.length > 0 && this.#queue.length < this.#limits.maxQueueSize / 2) {
      for (const resolve of this.#roomWaiters.splice(0)) resolve();
    }
    this.#waiters.settle(this.#spooler.writing > 0 ? Number.NEGATIVE_INFINITY : this.#lowestUnsettled());
  }

  /**
   * Waits until every log accepted so far is settled; after `timeoutMs` — a timer that keeps the process alive
   * meanwhile — spools whatever is still pending, and with `close` takes no more sends.
   */
  async #flushUntil(timeoutMs: number, close: boolean): Promise<void> {
    const target = this.#seq;
    this.#urgent++;
    try {
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
      const stranded = this.#queue.drain();
      for (const batch of this.#batches) {
        this.#scheduler.clearTimeout(batch.timer);
        stranded.push(...batch.entries);
      }
      this.#batches.clear();
      this.#spooler.write(
        stranded,
        close ? "not delivered before shutdown" : "not delivered within the flush timeout",
      );
      await settled;
    } finally {
      this.#urgent--;
    }
  }

  #report(issue: LogDeliveryIssue): void {
    try {
      this.#onError(issue);
    } catch {
      // A failing hook must not break delivery.
    }
  }
}
