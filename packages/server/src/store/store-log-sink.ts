import { type LogSink, normalizeGatewayLog, type RequestLog } from "@keyway/core";
import type { LogWriter } from "../metrics/server-metrics.js";
import { type IngestOptions, prepareStored } from "../routes/prepare-ingested.js";

/**
 * How long the gateway's logs wait to be written together. A write is a transaction, and a transaction's commit
 * costs far more than a row (`bench/micro-costs.mjs`: 115–128 µs of CPU per log written alone, 24–26 at 32 a
 * write): at a few
 * thousand calls a second, answered one by one, calls rarely end in the same turn of the event loop. The call
 * was answered already; its log waiting 10 ms costs the caller nothing.
 */
const WINDOW_MS = 10;
const MAX_BATCH = 500;

/** The gateway inside `keyway serve` logs straight into the store: no HTTP hop to itself. */
export class StoreLogSink implements LogSink {
  #buffer: RequestLog[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #writes = new Set<Promise<unknown>>();

  constructor(
    private readonly store: LogWriter,
    private readonly options: IngestOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  log(log: RequestLog): void {
    try {
      // The gateway's own log, for a call already answered: bounded and marked, never refused.
      this.#buffer.push(prepareStored(normalizeGatewayLog(log), this.options));
    } catch (error) {
      this.onError(error);
      return;
    }
    if (this.#buffer.length >= MAX_BATCH) this.#write();
    else this.#timer ??= setTimeout(() => this.#write(), WINDOW_MS);
  }

  #write(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const logs = this.#buffer;
    this.#buffer = [];
    if (logs.length === 0) return;
    const write = this.store
      .insert(logs)
      .then((result) => {
        if (result.rejected)
          throw new Error(
            `the store refused ${result.rejected.length} gateway log(s): ${result.rejected[0]?.reason}`,
          );
      })
      .catch(this.onError);
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }

  async flush(): Promise<void> {
    this.#write();
    await Promise.all(this.#writes);
  }

  async shutdown(): Promise<void> {
    await this.flush();
  }
}
