import type { RequestLogDraft } from "../log/request-log.js";

/** Where request logs go. `log` is synchronous and never throws; `flush` waits until what was logged is safe. */
export interface LogSink {
  log(log: RequestLogDraft): void;
  /** Resolves when every log accepted so far is delivered, spooled or reported rejected. */
  flush(): Promise<void>;
  /** Flushes, stops timers; logs after shutdown are still kept (spooled), never thrown. Idempotent. */
  shutdown(): Promise<void>;
}

/** What the transport reports through `onError`: never thrown into the caller. */
export interface LogDeliveryIssue {
  kind: "rejected" | "retrying" | "spooled" | "dropped" | "spool-failed" | "prepare-failed";
  message: string;
  status?: number;
  logIds: string[];
}

export interface SinkCounters {
  accepted: number;
  delivered: number;
  retried: number;
  spooled: number;
  rejected: number;
  dropped: number;
  replayed: number;
}

export const emptyCounters = (): SinkCounters => ({
  accepted: 0,
  delivered: 0,
  retried: 0,
  spooled: 0,
  rejected: 0,
  dropped: 0,
  replayed: 0,
});
