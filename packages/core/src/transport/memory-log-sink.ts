import type { RequestLog, RequestLogDraft } from "../log/request-log.js";
import { withLogId } from "../log/with-log-id.js";
import type { LogSink } from "./log-sink.js";

/** Keeps logs in an array; for tests and in-process consumers. */
export class MemoryLogSink implements LogSink {
  readonly logs: RequestLog[] = [];

  log(log: RequestLogDraft): void {
    this.logs.push(withLogId(log));
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  clear(): void {
    this.logs.length = 0;
  }
}
