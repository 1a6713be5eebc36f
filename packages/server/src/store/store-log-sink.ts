import { type LogSink, normalizeGatewayLog, type RequestLog } from "@keyway/core";
import type { LogWriter } from "../metrics/server-metrics.js";
import { type IngestOptions, prepareStored } from "../routes/prepare-ingested.js";

/** The gateway inside `keyway serve` logs straight into the store: no HTTP hop to itself. */
export class StoreLogSink implements LogSink {
  #writes = new Set<Promise<unknown>>();

  constructor(
    private readonly store: LogWriter,
    private readonly options: IngestOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  log(log: RequestLog): void {
    try {
      // The gateway's own log, for a call already answered: bounded and marked, never refused.
      const write = this.store
        .insert([prepareStored(normalizeGatewayLog(log), this.options)])
        .then((result) => {
          if (result.rejected)
            throw new Error(`the store refused a gateway log: ${result.rejected[0]?.reason}`);
        })
        .catch(this.onError);
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
