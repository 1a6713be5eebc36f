import type { SpanLike } from "./span-like.js";

/** What the batch processor needs of an exporter: `KeywaySpanExporter`, or any OTel `SpanExporter`. */
export interface SpanExporterLike {
  export(spans: SpanLike[], resultCallback: (result: { code: number; error?: Error }) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface KeywayBatchOptions {
  /** How long an ended span waits for company before its batch is exported (default 1,000 ms). */
  scheduledDelayMs?: number;
  /** Spans per export (default 512); a full batch is exported at once. */
  maxExportBatchSize?: number;
  /** Ended spans held at most (default 2,048); past it spans are dropped and reported. */
  maxQueueSize?: number;
  onError?: (error: unknown) => void;
}

/**
 * A batching `SpanProcessor` with no SDK import at run time (works with the 2.x and 3.x SDKs alike): ended
 * spans are buffered and handed to the exporter in batches, off the request's path. Spans carry their identity
 * as attributes stamped at start, so it does not matter which context the export timer runs in.
 */
export class KeywayBatchSpanProcessor {
  readonly #exporter: SpanExporterLike;
  readonly #delayMs: number;
  readonly #batchSize: number;
  readonly #queueSize: number;
  readonly #onError: (error: unknown) => void;
  #buffer: SpanLike[] = [];
  #timer: NodeJS.Timeout | undefined;
  #exports = new Set<Promise<void>>();
  #dropped = 0;
  #shutdown: Promise<void> | undefined;

  constructor(exporter: SpanExporterLike, options: KeywayBatchOptions = {}) {
    this.#exporter = exporter;
    this.#delayMs = options.scheduledDelayMs ?? 1_000;
    this.#batchSize = options.maxExportBatchSize ?? 512;
    this.#queueSize = Math.max(options.maxQueueSize ?? 2_048, this.#batchSize);
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Spans dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  onStart(): void {}

  onEnd(span: SpanLike): void {
    if (this.#shutdown) return;
    if (this.#buffer.length >= this.#queueSize) {
      if (this.#dropped++ === 0)
        this.#report(new Error("KeywayBatchSpanProcessor: queue full, dropping spans"));
      return;
    }
    this.#buffer.push(span);
    if (this.#buffer.length >= this.#batchSize) this.#exportBuffered();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#exportBuffered();
      }, this.#delayMs);
      this.#timer.unref();
    }
  }

  async forceFlush(): Promise<void> {
    this.#exportBuffered();
    await Promise.all(this.#exports);
    await this.#exporter.forceFlush?.();
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await this.forceFlush().catch((error: unknown) => this.#report(error));
      await this.#exporter.shutdown().catch((error: unknown) => this.#report(error));
    })();
    return this.#shutdown;
  }

  #exportBuffered(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#buffer.length > 0) {
      const spans = this.#buffer.splice(0, this.#batchSize);
      const done = new Promise<void>((resolve) => {
        try {
          this.#exporter.export(spans, (result) => {
            if (result.code !== 0) this.#report(result.error ?? new Error("span export failed"));
            resolve();
          });
        } catch (error) {
          this.#report(error);
          resolve();
        }
      });
      this.#exports.add(done);
      void done.then(() => this.#exports.delete(done));
    }
  }

  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch {}
  }
}
