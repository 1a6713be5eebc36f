import { backoffDelay } from "./backoff.js";
import type { SinkLimits } from "./http-log-sink-options.js";
import type { LogEntry } from "./log-entry.js";
import type { LogQueue } from "./log-queue.js";
import type { LogDeliveryIssue, SinkCounters } from "./log-sink.js";
import type { HttpLogTransport, SendResult } from "./log-transport.js";
import type { Scheduler } from "./scheduler.js";
import type { SinkSpooler } from "./sink-spooler.js";
import type { SpoolReplayer } from "./spool-replayer.js";

interface Batch {
  entries: LogEntry[];
  attempt: number;
  timer: unknown;
  inFlight: boolean;
}

export interface BatchSenderParts {
  limits: SinkLimits;
  queue: LogQueue;
  transport: HttpLogTransport;
  spooler: SinkSpooler;
  replayer: SpoolReplayer | undefined;
  replayEnabled: boolean;
  scheduler: Scheduler;
  random: () => number;
  counters: SinkCounters;
  report(issue: LogDeliveryIssue): void;
  closed(): boolean;
  /** Something was settled: flush waiters and replay may move on. */
  settled(): void;
}

/**
 * Batching and retrying: takes batches from the queue while send slots are free (full ones at once, a partial one
 * after `flushIntervalMs` or when urgent), and acts on each send's result value — retry with backoff and jitter
 * (`Retry-After` honoured), re-queue for the single route, split a refused batch until the bad log stands alone,
 * or hand the logs to the spooler.
 */
export class BatchSender {
  readonly #parts: BatchSenderParts;
  #batches = new Set<Batch>();
  #batchTimer: unknown;
  #urgent = 0;

  constructor(parts: BatchSenderParts) {
    this.#parts = parts;
  }

  /** Logs in batches being sent or waiting for a retry. */
  get inBatches(): number {
    let count = 0;
    for (const batch of this.#batches) count += batch.entries.length;
    return count;
  }

  lowestSeq(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const batch of this.#batches)
      for (const entry of batch.entries) lowest = Math.min(lowest, entry.seq);
    return lowest;
  }

  /** Runs `fn` with partial batches sent at once (a flush). */
  async urgently<T>(fn: () => Promise<T>): Promise<T> {
    this.#urgent++;
    try {
      return await fn();
    } finally {
      this.#urgent--;
    }
  }

  /** Gives up every batch (a timeout): their entries, for the spool. Late answers to them are ignored. */
  strand(): LogEntry[] {
    const stranded: LogEntry[] = [];
    for (const batch of this.#batches) {
      this.#parts.scheduler.clearTimeout(batch.timer);
      stranded.push(...batch.entries);
    }
    this.#batches.clear();
    return stranded;
  }

  stopTimer(): void {
    this.#parts.scheduler.clearTimeout(this.#batchTimer);
  }

  dispatch(): void {
    const { limits, queue, transport, scheduler } = this.#parts;
    let busy = 0;
    for (const batch of this.#batches) if (batch.inFlight || batch.timer !== undefined) busy++;
    let slots = limits.maxConcurrentSends - busy;
    const size = transport.single ? 1 : limits.maxBatchSize;
    while (
      slots > 0 &&
      queue.length > 0 &&
      (queue.length >= size || this.#urgent > 0 || this.#parts.closed())
    ) {
      this.#send({
        entries: queue.take(size, limits.maxBatchBytes),
        attempt: 0,
        timer: undefined,
        inFlight: false,
      });
      slots--;
    }
    if (queue.length > 0 && this.#batchTimer === undefined && slots > 0) {
      this.#batchTimer = scheduler.setTimeout(() => {
        this.#batchTimer = undefined;
        this.#urgent++;
        this.dispatch();
        this.#urgent--;
      }, limits.flushIntervalMs);
    }
  }

  #send(batch: Batch): void {
    batch.inFlight = true;
    this.#batches.add(batch);
    void this.#parts.transport
      .send(batch.entries.map((entry) => entry.json))
      .then((result) => this.#after(batch, result));
  }

  #after(batch: Batch, result: SendResult): void {
    batch.inFlight = false;
    // A batch no longer held was stranded to the spool at a timeout; the endpoint dedupes a late success.
    if (!this.#batches.delete(batch)) return;
    const { counters, replayer, spooler, limits } = this.#parts;
    const { entries } = batch;
    const ids = () => entries.map((entry) => entry.id);
    if (result.kind === "delivered") {
      counters.delivered += entries.length;
      replayer?.settle(entries);
      const replayDue = !this.#parts.closed() && this.#parts.replayEnabled && !replayer?.running;
      if (replayDue && spooler.takeWroteSinceReplay()) replayer?.start();
    } else if (result.kind === "no-batch-route") {
      this.#parts.queue.unshift(entries);
    } else if (result.kind === "retryable") {
      if (this.#parts.closed() || batch.attempt >= limits.maxRetries) {
        spooler.write(entries, `endpoint unavailable (${result.status || result.reason})`);
      } else {
        const backoff = backoffDelay(
          batch.attempt,
          limits.backoffBaseMs,
          limits.backoffMaxMs,
          this.#parts.random,
        );
        const delay = Math.min(
          Math.max(result.retryAfterMs ?? 0, backoff),
          Math.max(limits.backoffMaxMs, 60_000),
        );
        batch.attempt++;
        counters.retried += entries.length;
        this.#parts.report({
          kind: "retrying",
          status: result.status,
          message: `retry ${batch.attempt} in ${delay} ms: ${result.status || result.reason}`,
          logIds: ids(),
        });
        this.#batches.add(batch);
        batch.timer = this.#parts.scheduler.setTimeout(() => {
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
      counters.rejected += entries.length;
      replayer?.settle(entries);
      this.#parts.report({
        kind: "rejected",
        status: result.status,
        message: `endpoint refused ${entries.length} log(s) with ${result.status}: ${result.reason}`,
        logIds: ids(),
      });
    }
    this.dispatch();
    this.#parts.settled();
  }
}
