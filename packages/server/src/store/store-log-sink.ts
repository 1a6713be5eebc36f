import type { LogSink, RequestLog } from "@keyway/core";
import { type IngestOptions, prepareIngested } from "../routes/prepare-ingested.js";
import type { LogStore } from "./log-store.js";

/** The gateway inside `keyway serve` logs straight into the store: no HTTP hop to itself. */
export class StoreLogSink implements LogSink {
  #writes = new Set<Promise<unknown>>();

  constructor(
    private readonly store: LogStore,
    private readonly options: IngestOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  log(log: RequestLog): void {
    try {
      const write = this.store.insert([prepareIngested(log, this.options)]).catch(this.onError);
      this.#writes.add(write);
      void write.finally(() => this.#writes.delete(write));
    } catch (error) {
      this.onError(error);
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.#writes);
  }

  async shutdown(): Promise<void> {
    await this.flush();
  }
}
