import { GatewayMetrics, type RequestLog } from "@keyway/core";
import { Counter, Gauge, Histogram } from "prom-client";
import type { InsertResult, LogStore } from "../store/log-store.js";

/** What an ingest route or the gateway's sink writes through: the store's `insert`, and refusals before it. */
export interface LogWriter {
  insert(logs: readonly RequestLog[]): Promise<InsertResult>;
  /** Logs refused before the store saw them (invalid, past a limit). */
  refused(count: number): void;
}

/** Where a write came from: `keyway_ingest_logs_total`'s `route`. */
export type WriteRoute = "gateway" | "single" | "batch" | "spans" | "otlp";

/**
 * `keyway serve`'s metrics: the gateway's (`GatewayMetrics`, one registry) plus the store's side — logs accepted,
 * duplicate or rejected per ingest route, write latency and writes in flight. A door's log stored through ingest
 * is counted in `keyway_requests_total` too (`face="ingest"`), so one query sees every call whatever made it.
 */
export class ServerMetrics {
  readonly gateway: GatewayMetrics;
  readonly #ingest: Counter;
  readonly #writeSeconds: Histogram;
  #inFlight = 0;

  constructor(options: { labels?: readonly string[] } = {}) {
    this.gateway = new GatewayMetrics(options.labels ? { labels: options.labels } : {});
    const registers = [this.gateway.registry];
    this.#ingest = new Counter({
      name: "keyway_ingest_logs_total",
      help: "Logs that reached the store, by route: stored, duplicate (already stored) or rejected.",
      labelNames: ["route", "result"],
      registers,
    });
    this.#writeSeconds = new Histogram({
      name: "keyway_store_write_seconds",
      help: "Time of one write to the log store (a batch is one write).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const inFlight = () => this.#inFlight;
    new Gauge({
      name: "keyway_store_writes_in_flight",
      help: "Writes handed to the store and not yet answered: the store's queue depth.",
      registers,
      collect() {
        this.set(inFlight());
      },
    });
  }

  /**
   * A writer for `route` over `store`: every write timed and its outcome counted; each rejection is also told to
   * `alsoRefused` (the alerts count them).
   */
  writer(
    store: Pick<LogStore, "insert">,
    route: WriteRoute,
    alsoRefused?: (count: number) => void,
  ): LogWriter {
    const timed = {
      insert: async (logs: readonly RequestLog[]) => {
        const stop = this.#writeSeconds.startTimer();
        this.#inFlight++;
        try {
          const result = await store.insert(logs);
          if (result.inserted > 0) this.#ingest.inc({ route, result: "stored" }, result.inserted);
          if (result.duplicates > 0) this.#ingest.inc({ route, result: "duplicate" }, result.duplicates);
          // The gateway counts its own calls; a door's are counted here, unless a resend makes it unclear which.
          if (route !== "gateway" && result.duplicates === 0) {
            const skip = new Set(result.rejected?.map((entry) => entry.index));
            for (const [index, log] of logs.entries())
              if (!skip.has(index)) this.gateway.observe(log, "ingest");
          }
          return result;
        } finally {
          this.#inFlight--;
          stop();
        }
      },
    };
    return storeWriter(timed, (count) => {
      if (count > 0) this.#ingest.inc({ route, result: "rejected" }, count);
      alsoRefused?.(count);
    });
  }
}

/**
 * A writer over `store` that tells `refused` of every log rejected: before the store saw it, by the store, or in
 * a write that failed. Without metrics it is the server's writer; with them, it counts the metrics' rejections too.
 */
export function storeWriter(
  store: Pick<LogStore, "insert">,
  refused: (count: number) => void = () => {},
): LogWriter {
  return {
    refused,
    insert: async (logs) => {
      try {
        const result = await store.insert(logs);
        refused(result.rejected?.length ?? 0);
        return result;
      } catch (error) {
        refused(logs.length);
        throw error;
      }
    },
  };
}
