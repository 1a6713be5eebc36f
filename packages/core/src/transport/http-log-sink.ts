import { stderrWarner } from "../errors/stderr-warner.js";
import { fetchTransport, nodeTransport, type UpstreamTransport } from "../gateway/upstream-transport.js";
import { type PrepareLogOptions, serializePreparedLog } from "../log/prepare-log.js";
import type { RequestLog, RequestLogDraft } from "../log/request-log.js";
import { SecretMatcher } from "../log/secret-matcher.js";
import { withLogId } from "../log/with-log-id.js";
import { backoffDelay, parseRetryAfter } from "./backoff.js";
import type { LogDeliveryIssue, LogSink, SinkCounters } from "./log-sink.js";
import { defaultSpoolDir, Spool } from "./spool.js";

export interface HttpLogSinkOptions extends Omit<PrepareLogOptions, "secrets"> {
  /** Known secrets to remove from every log (any casing, base64 too), besides key-shaped patterns. */
  secrets?: Iterable<string>;
  /** The logging endpoint's origin: Respan's cloud or `keyway serve`. */
  baseURL: string;
  apiKey?: string;
  /**
   * `batch`: JSON arrays to `/api/request-logs/batch/`; `single`: one log per `POST /api/request-logs/create/`;
   * `auto` (default): batch, falling back to single for good when the endpoint has no batch route (404/405).
   */
  route?: "auto" | "batch" | "single";
  maxBatchSize?: number;
  maxBatchBytes?: number;
  /** How long a partial batch waits for company. */
  flushIntervalMs?: number;
  /** Bounds of what is held in memory; past them logs go to the spool. */
  maxQueueSize?: number;
  maxQueueBytes?: number;
  maxConcurrentSends?: number;
  /** Retries of one batch (network errors, timeouts, 408/429/5xx) before it is spooled. */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
  /** Directory of the append-only spool, or false to keep nothing on disk (logs past the bounds are dropped). */
  spoolDir?: string | false;
  /** Re-send spooled logs found in `spoolDir` (at start, and whenever the endpoint answers again). Default true. */
  replaySpool?: boolean;
  /** How long `shutdown()` tries to deliver before it spools what is left. */
  shutdownTimeoutMs?: number;
  /**
   * How long `flush()` waits for delivery (default 30 s) before it spools what is left. While it waits it keeps
   * the process alive, so `await sink.flush()` at the end of a script delivers or spools every log.
   */
  flushTimeoutMs?: number;
  /** How long a spool file claimed for replay stays claimed without its owner renewing it (default 30 s). */
  spoolLeaseMs?: number;
  onError?: (issue: LogDeliveryIssue) => void;
  fetch?: typeof globalThis.fetch;
  random?: () => number;
}

interface Entry {
  seq: number;
  id: string;
  json: string;
  origin?: ReplayFile;
}

interface ReplayFile {
  path: string;
  pending: number;
  readDone: boolean;
}

interface Batch {
  entries: Entry[];
  attempt: number;
  timer?: NodeJS.Timeout;
  inFlight: boolean;
}

const routes = { batch: "/api/request-logs/batch/", single: "/api/request-logs/create/" } as const;

/** The default `onError`: logs that are lost (rejected, dropped, unspoolable) are never lost silently. */
function warnOnLoss(): (issue: LogDeliveryIssue) => void {
  const warn = stderrWarner("log sink");
  return (issue) => {
    if (issue.kind !== "retrying" && issue.kind !== "spooled") warn(`${issue.kind}: ${issue.message}`);
  };
}
const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Posts logs to a Respan-compatible endpoint without ever blocking, throwing into, or losing logs of its caller:
 * `log()` only pushes onto an array; preparation (redaction, truncation, serialisation), batching, sending with
 * retries (exponential backoff with jitter, `Retry-After` honoured) happen in the background on `unref`ed timers.
 * Logs past the memory bounds, batches out of retries, and whatever is left at shutdown go to an append-only
 * spool on disk, re-sent by the next sink that starts with the same directory (or by this one once the endpoint
 * answers again). 4xx answers other than 408/429 are not retried: the logs are reported through `onError`.
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
  readonly #options: Required<
    Pick<
      HttpLogSinkOptions,
      | "maxBatchSize"
      | "maxBatchBytes"
      | "flushIntervalMs"
      | "maxQueueSize"
      | "maxQueueBytes"
      | "maxConcurrentSends"
      | "maxRetries"
      | "backoffBaseMs"
      | "backoffMaxMs"
      | "requestTimeoutMs"
      | "shutdownTimeoutMs"
      | "flushTimeoutMs"
    >
  >;
  readonly #baseURL: string;
  readonly #apiKey: string | undefined;
  readonly #prepare: PrepareLogOptions;
  readonly #onError: (issue: LogDeliveryIssue) => void;
  readonly #http: UpstreamTransport;
  readonly #random: () => number;
  #spool: Spool | undefined;
  #unregisterExit: (() => void) | undefined;
  readonly #replayEnabled: boolean;
  #route: "auto" | "batch" | "single";

  #seq = 0;
  #incoming: { seq: number; log: RequestLog }[] = [];
  #queue: Entry[] = [];
  #queueBytes = 0;
  #overflow: Entry[] = [];
  #batches = new Set<Batch>();
  #pumpScheduled = false;
  #batchTimer: NodeJS.Timeout | undefined;
  #flushWaiters: { seq: number; resolve: () => void }[] = [];
  #urgent = 0;
  #closed = false;
  #shutdown: Promise<void> | undefined;
  #replaying: Promise<void> | undefined;
  #spoolWrites = new Set<Promise<void>>();
  #spaceWaiters: (() => void)[] = [];
  #spooledSinceReplay = false;

  constructor(options: HttpLogSinkOptions) {
    if (!/^https?:\/\//.test(options.baseURL))
      throw new TypeError(`HttpLogSink: baseURL must be an http(s) URL, got "${options.baseURL}"`);
    this.#baseURL = options.baseURL.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#route = options.route ?? "auto";
    this.#options = {
      maxBatchSize: options.maxBatchSize ?? 100,
      maxBatchBytes: options.maxBatchBytes ?? 4 * 1024 * 1024,
      flushIntervalMs: options.flushIntervalMs ?? 250,
      maxQueueSize: options.maxQueueSize ?? 10_000,
      maxQueueBytes: options.maxQueueBytes ?? 32 * 1024 * 1024,
      maxConcurrentSends: options.maxConcurrentSends ?? 4,
      maxRetries: options.maxRetries ?? 6,
      backoffBaseMs: options.backoffBaseMs ?? 200,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5_000,
      flushTimeoutMs: options.flushTimeoutMs ?? 30_000,
    };
    this.#prepare = {
      // Compiled once: every log is checked against them.
      secrets: new SecretMatcher([...(options.secrets ?? []), ...(options.apiKey ? [options.apiKey] : [])]),
      ...(options.redact ? { redact: options.redact } : {}),
      ...(options.maxStringChars !== undefined ? { maxStringChars: options.maxStringChars } : {}),
    };
    this.#onError = options.onError ?? warnOnLoss();
    // Its own keep-alive connections, closed at shutdown: a finished sink leaves no socket behind.
    this.#http = options.fetch ? fetchTransport(options.fetch) : nodeTransport();
    this.#random = options.random ?? Math.random;
    this.#spool =
      options.spoolDir === false
        ? undefined
        : new Spool(options.spoolDir ?? defaultSpoolDir(), {
            ...(options.spoolLeaseMs !== undefined ? { leaseMs: options.spoolLeaseMs } : {}),
          });
    this.#replayEnabled = options.replaySpool ?? true;
    if (this.#spool && this.#replayEnabled) this.#startReplay();
  }

  /** What is held in memory right now: queued logs and their bytes, and logs in batches being sent or retried. */
  get pending(): { incoming: number; queued: number; queuedBytes: number; inBatches: number } {
    let inBatches = 0;
    for (const batch of this.#batches) inBatches += batch.entries.length;
    return {
      incoming: this.#incoming.length,
      queued: this.#queue.length,
      queuedBytes: this.#queueBytes,
      inBatches,
    };
  }

  /** Accepts a log: O(1), synchronous, never throws, never touches the network. */
  log(log: RequestLogDraft): void {
    try {
      this.counters.accepted++;
      this.#incoming.push({ seq: ++this.#seq, log: withLogId(log) });
      this.#schedulePump();
    } catch {
      // Nothing a caller does with a log may make logging throw.
    }
  }

  flush(): Promise<void> {
    return this.#flushUntil(this.#options.flushTimeoutMs, false);
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await this.#flushUntil(this.#options.shutdownTimeoutMs, true);
      this.#closed = true;
      this.#unregisterExit?.();
      if (this.#batchTimer) clearTimeout(this.#batchTimer);
      await this.#replaying?.catch(() => undefined);
      await Promise.all(this.#spoolWrites);
      await this.#spool?.release();
      this.#http.close?.();
    })();
    return this.#shutdown;
  }

  /**
   * Makes the process keep what is pending when it ends: `beforeExit` flushes, `exit` spools synchronously
   * whatever is still in memory, and (unless `signals: false`) SIGINT/SIGTERM shut the sink down and exit.
   * Returns a function that removes the handlers.
   */
  registerExitHandlers(options: { signals?: boolean } = {}): () => void {
    const beforeExit = () => {
      // Bounded like a shutdown: an unreachable endpoint must not hold the exiting process for long.
      if (this.#unsettledCount() > 0 && !this.#closed)
        void this.#flushUntil(this.#options.shutdownTimeoutMs, false);
    };
    const exit = () => this.#spoolEverythingSync();
    const onSignal = (signal: NodeJS.Signals) => {
      void this.shutdown().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    };
    process.on("beforeExit", beforeExit);
    process.on("exit", exit);
    if (options.signals !== false) {
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    }
    const unregister = () => {
      process.off("beforeExit", beforeExit);
      process.off("exit", exit);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
    this.#unregisterExit = unregister;
    return unregister;
  }

  // ---- preparing ----

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    }).unref();
  }

  #pump(): void {
    const incoming = this.#incoming;
    this.#incoming = [];
    for (const { seq, log } of incoming) {
      let entry: Entry;
      try {
        const json = serializePreparedLog(log, this.#prepare);
        if (json === null) continue; // the user's redact hook dropped it
        entry = { seq, id: String(log.unique_id), json };
      } catch (error) {
        this.counters.rejected++;
        this.#report({
          kind: "prepare-failed",
          message: `log could not be prepared: ${String(error)}`,
          logIds: [String(log?.unique_id)],
        });
        continue;
      }
      if (
        this.#closed ||
        this.#queue.length >= this.#options.maxQueueSize ||
        this.#queueBytes + entry.json.length > this.#options.maxQueueBytes
      ) {
        this.#overflow.push(entry);
      } else {
        this.#enqueue(entry);
      }
    }
    if (this.#overflow.length > 0) this.#spoolEntries(this.#overflow.splice(0), "queue full");
    this.#dispatch();
    this.#settle();
  }

  #enqueue(entry: Entry, front = false): void {
    if (front) this.#queue.unshift(entry);
    else this.#queue.push(entry);
    this.#queueBytes += entry.json.length;
  }

  // ---- sending ----

  #dispatch(): void {
    const { maxBatchSize, maxConcurrentSends, flushIntervalMs } = this.#options;
    const sending = [...this.#batches].filter((batch) => batch.inFlight || batch.timer).length;
    let slots = maxConcurrentSends - sending;
    const size = this.#route === "single" ? 1 : maxBatchSize;
    while (
      slots > 0 &&
      this.#queue.length > 0 &&
      (this.#queue.length >= size || this.#urgent > 0 || this.#closed)
    ) {
      this.#send({ entries: this.#takeBatch(size), attempt: 0, inFlight: false });
      slots--;
    }
    if (this.#queue.length > 0 && !this.#batchTimer && slots > 0) {
      this.#batchTimer = setTimeout(() => {
        this.#batchTimer = undefined;
        this.#urgent++;
        this.#dispatch();
        this.#urgent--;
      }, flushIntervalMs);
      this.#batchTimer.unref();
    }
  }

  #takeBatch(size: number): Entry[] {
    const entries: Entry[] = [];
    let bytes = 2;
    while (this.#queue.length > 0 && entries.length < size) {
      const next = this.#queue[0] as Entry;
      if (entries.length > 0 && bytes + next.json.length + 1 > this.#options.maxBatchBytes) break;
      this.#queue.shift();
      this.#queueBytes -= next.json.length;
      bytes += next.json.length + 1;
      entries.push(next);
    }
    return entries;
  }

  #send(batch: Batch): void {
    batch.inFlight = true;
    this.#batches.add(batch);
    void this.#post(batch).then((outcome) => this.#afterPost(batch, outcome));
  }

  async #post(batch: Batch): Promise<{ status: number; retryAfterMs?: number; error?: string }> {
    const single = this.#route === "single";
    const route = single ? routes.single : routes.batch;
    const body = single
      ? (batch.entries[0] as Entry).json
      : `[${batch.entries.map((entry) => entry.json).join(",")}]`;
    try {
      const response = await this.#http(`${this.#baseURL}${route}`, {
        headers: {
          "content-type": "application/json",
          ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
        },
        body,
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs),
      });
      const text = await response.text().catch(() => "");
      const retryAfterMs = parseRetryAfter(response.header("retry-after"));
      return {
        status: response.status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        error: text.slice(0, 500),
      };
    } catch (error) {
      return { status: 0, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  #afterPost(batch: Batch, outcome: { status: number; retryAfterMs?: number; error?: string }): void {
    batch.inFlight = false;
    if (!this.#batches.has(batch)) return; // abandoned to the spool at shutdown; the server dedupes a late success
    const { status } = outcome;
    const ids = () => batch.entries.map((entry) => entry.id);
    if (status >= 200 && status < 300) {
      this.#batches.delete(batch);
      this.counters.delivered += batch.entries.length;
      this.#settleEntries(batch.entries);
      if (this.#route === "auto" && batch.entries.length > 0) this.#route = "batch";
      if (this.#spooledSinceReplay && this.#replayEnabled && !this.#replaying && !this.#closed)
        this.#startReplay();
    } else if (this.#route === "auto" && (status === 404 || status === 405)) {
      // No batch route here: one log per request from now on.
      this.#batches.delete(batch);
      this.#route = "single";
      for (const entry of [...batch.entries].reverse()) this.#enqueue(entry, true);
    } else if (status === 0 || retryableStatus(status)) {
      if (this.#closed || batch.attempt >= this.#options.maxRetries) {
        this.#batches.delete(batch);
        this.#spoolEntries(batch.entries, `endpoint unavailable (${status || outcome.error})`);
      } else {
        const delay = Math.min(
          Math.max(
            outcome.retryAfterMs ?? 0,
            backoffDelay(
              batch.attempt,
              this.#options.backoffBaseMs,
              this.#options.backoffMaxMs,
              this.#random,
            ),
          ),
          Math.max(this.#options.backoffMaxMs, 60_000),
        );
        batch.attempt++;
        this.counters.retried += batch.entries.length;
        this.#report({
          kind: "retrying",
          status,
          message: `retry ${batch.attempt} in ${delay} ms: ${status || outcome.error}`,
          logIds: ids(),
        });
        batch.timer = setTimeout(() => {
          batch.timer = undefined;
          this.#batches.delete(batch);
          this.#send(batch);
        }, delay);
        batch.timer.unref();
      }
    } else if ((status === 400 || status === 413 || status === 422) && batch.entries.length > 1) {
      // One bad log must not sink its neighbours: split until the bad one stands alone.
      this.#batches.delete(batch);
      const half = Math.ceil(batch.entries.length / 2);
      this.#send({ entries: batch.entries.slice(0, half), attempt: 0, inFlight: false });
      this.#send({ entries: batch.entries.slice(half), attempt: 0, inFlight: false });
    } else {
      this.#batches.delete(batch);
      this.counters.rejected += batch.entries.length;
      this.#settleEntries(batch.entries);
      this.#report({
        kind: "rejected",
        status,
        message: `endpoint refused ${batch.entries.length} log(s) with ${status}: ${outcome.error ?? ""}`,
        logIds: ids(),
      });
    }
    this.#dispatch();
    this.#settle();
  }

  // ---- spooling ----

  #spoolEntries(entries: Entry[], reason: string): void {
    if (entries.length === 0) return;
    if (!this.#spool) {
      this.counters.dropped += entries.length;
      this.#settleEntries(entries);
      this.#report({
        kind: "dropped",
        message: `no spool configured; dropped (${reason})`,
        logIds: entries.map((entry) => entry.id),
      });
      return;
    }
    const write = this.#spool
      .append(entries.map((entry) => entry.json))
      .then(
        () => {
          this.counters.spooled += entries.length;
          this.#spooledSinceReplay = true;
          this.#report({
            kind: "spooled",
            message: `spooled to ${this.#spool?.dir} (${reason})`,
            logIds: entries.map((entry) => entry.id),
          });
        },
        (error: unknown) => {
          if ((error as { code?: string }).code === "spool_unavailable" && this.#spool) {
            // Found once: from now on the sink works in memory only (what fits the queue bounds).
            this.#spool = undefined;
            this.#report({
              kind: "spool-failed",
              message: `${(error as Error).message}; spooling is off, undeliverable logs stay in memory within the queue bounds`,
              logIds: [],
            });
            if (!this.#closed) return this.#keepInMemory(entries, "spool unavailable");
          }
          this.counters.dropped += entries.length;
          this.#report({
            kind: "spool-failed",
            message: `spool write failed: ${String(error)}`,
            logIds: entries.map((entry) => entry.id),
          });
        },
      )
      .finally(() => {
        this.#spoolWrites.delete(write);
        this.#settleEntries(entries);
        this.#settle();
      });
    this.#spoolWrites.add(write);
  }

  /** Puts entries back at the front of the queue, as many as its bounds allow; the rest are dropped. */
  #keepInMemory(entries: Entry[], reason: string): void {
    const kept: Entry[] = [];
    let bytes = this.#queueBytes;
    for (const entry of entries) {
      if (this.#queue.length + kept.length >= this.#options.maxQueueSize) break;
      if (bytes + entry.json.length > this.#options.maxQueueBytes) break;
      bytes += entry.json.length;
      kept.push(entry);
    }
    for (const entry of [...kept].reverse()) this.#enqueue(entry, true);
    const dropped = entries.slice(kept.length);
    if (dropped.length > 0) {
      this.counters.dropped += dropped.length;
      this.#report({
        kind: "dropped",
        message: `queue full and no spool; dropped (${reason})`,
        logIds: dropped.map((entry) => entry.id),
      });
    }
  }

  #spoolEverythingSync(): void {
    if (!this.#spool) return;
    const lines: string[] = [];
    for (const { log } of this.#incoming.splice(0)) {
      try {
        const json = serializePreparedLog(log, this.#prepare);
        if (json !== null) lines.push(json);
      } catch {}
    }
    for (const entry of [...this.#queue.splice(0), ...this.#overflow.splice(0)]) lines.push(entry.json);
    for (const batch of this.#batches) for (const entry of batch.entries) lines.push(entry.json);
    this.#batches.clear();
    if (lines.length === 0) return;
    try {
      this.#spool.appendSync(lines);
      this.counters.spooled += lines.length;
    } catch {
      this.counters.dropped += lines.length;
    }
  }

  #startReplay(): void {
    const spool = this.#spool;
    if (!spool) return;
    this.#spooledSinceReplay = false;
    this.#replaying = (async () => {
      const files = await spool.claim();
      // Let an append that opened a file just before we renamed it land before we read.
      if (files.length > 0) await new Promise((resolve) => setTimeout(resolve, 50).unref());
      for (const path of files) {
        const file: ReplayFile = { path, pending: 0, readDone: false };
        for (const line of await spool.read(path)) {
          while (!this.#closed && this.#queue.length >= this.#options.maxQueueSize / 2) {
            await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
          }
          let id = "";
          try {
            id = String((JSON.parse(line) as { unique_id?: unknown }).unique_id ?? "");
          } catch {}
          file.pending++;
          this.counters.replayed++;
          const entry: Entry = { seq: ++this.#seq, id, json: line, origin: file };
          if (this.#closed) this.#spoolEntries([entry], "replay interrupted by shutdown");
          else this.#enqueue(entry);
          if (this.#queue.length >= this.#options.maxBatchSize) this.#dispatch();
        }
        file.readDone = true;
        if (file.pending === 0) await spool.remove(path);
        this.#dispatch();
      }
    })()
      .catch((error: unknown) =>
        this.#report({ kind: "spool-failed", message: `spool replay failed: ${String(error)}`, logIds: [] }),
      )
      .finally(() => {
        this.#replaying = undefined;
      });
  }

  // ---- settling and flushing ----

  #settleEntries(entries: Entry[]): void {
    for (const entry of entries) {
      const file = entry.origin;
      if (!file) continue;
      file.pending--;
      if (file.readDone && file.pending === 0) void this.#spool?.remove(file.path);
    }
  }

  #lowestUnsettled(): number {
    let lowest = Number.POSITIVE_INFINITY;
    const consider = (entries: readonly { seq: number }[]) => {
      for (const entry of entries) if (entry.seq < lowest) lowest = entry.seq;
    };
    if (this.#incoming.length > 0) lowest = Math.min(lowest, (this.#incoming[0] as { seq: number }).seq);
    consider(this.#queue);
    consider(this.#overflow);
    for (const batch of this.#batches) consider(batch.entries);
    return lowest;
  }

  #unsettledCount(): number {
    let count = this.#incoming.length + this.#queue.length + this.#overflow.length + this.#spoolWrites.size;
    for (const batch of this.#batches) count += batch.entries.length;
    return count;
  }

  #settle(): void {
    if (this.#spaceWaiters.length > 0 && this.#queue.length < this.#options.maxQueueSize / 2) {
      for (const resolve of this.#spaceWaiters.splice(0)) resolve();
    }
    if (this.#flushWaiters.length === 0) return;
    const lowest = this.#spoolWrites.size > 0 ? Number.NEGATIVE_INFINITY : this.#lowestUnsettled();
    this.#flushWaiters = this.#flushWaiters.filter((waiter) => {
      if (waiter.seq < lowest) {
        waiter.resolve();
        return false;
      }
      return true;
    });
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
      const settled = new Promise<void>((resolve) => {
        this.#flushWaiters.push({ seq: target, resolve });
        this.#settle();
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        settled.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        if (close) this.#closed = true;
        const stranded: Entry[] = [...this.#queue.splice(0)];
        this.#queueBytes = 0;
        for (const batch of this.#batches) {
          if (batch.timer) clearTimeout(batch.timer);
          stranded.push(...batch.entries);
        }
        this.#batches.clear();
        this.#spoolEntries(
          stranded,
          close ? "not delivered before shutdown" : "not delivered within the flush timeout",
        );
        await settled;
      }
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
