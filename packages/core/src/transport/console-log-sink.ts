import { type PrepareLogOptions, prepareLog } from "../log/prepare-log.js";
import type { RequestLogDraft } from "../log/request-log.js";
import { withLogId } from "../log/with-log-id.js";
import type { LogSink } from "./log-sink.js";

/** Writes each log as one JSON line (redacted) to a stream, stderr by default. */
export class ConsoleLogSink implements LogSink {
  constructor(private readonly options: PrepareLogOptions & { write?: (line: string) => void } = {}) {}

  log(log: RequestLogDraft): void {
    try {
      const prepared = prepareLog(withLogId(log), this.options);
      if (prepared === null) return;
      const line = `${JSON.stringify(prepared)}\n`;
      (this.options.write ?? ((text: string) => process.stderr.write(text)))(line);
    } catch {
      // A log that cannot be written must not break the caller.
    }
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
