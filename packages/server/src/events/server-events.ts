import { redactText, stderrWarner } from "@keyway/core";
import { maskUrls } from "../store/db-url.js";

export type LogFormat = "text" | "json";
export const logFormats: readonly LogFormat[] = ["text", "json"];

export type ServerEventName =
  | "start"
  | "stop"
  | "config_change"
  | "store_lost"
  | "store_regained"
  | "redis_lost"
  | "redis_regained"
  | "alert_firing"
  | "alert_resolved"
  | "alert_delivery_failed"
  | "warning";

type Fields = Record<string, string | number | boolean | undefined>;

/**
 * `keyway serve`'s own log: one line per event (start, stop, a settings change, the store or Redis lost and
 * regained, an alert sent), as text for a person or one JSON object per line for a log shipper
 * (`--log-format json`). Callers pass no secrets; every string is still masked (database passwords) and redacted
 * (key-shaped values) on the way out, so a message quoting one cannot leak it.
 */
export class ServerEvents {
  readonly #write: (line: string, level: "info" | "warn") => void;

  /** Lines go to `write`; by default text's warnings to stderr and everything else to stdout. */
  constructor(
    readonly format: LogFormat = "text",
    write?: (line: string, level: "info" | "warn") => void,
  ) {
    this.#write =
      write ??
      ((line, level) =>
        (level === "warn" && format === "text" ? process.stderr : process.stdout).write(`${line}\n`));
  }

  emit(event: ServerEventName, message: string, fields: Fields = {}): void {
    const clean = (text: string) => redactText(maskUrls(text));
    const level =
      event === "warning" || event.endsWith("_lost") || event.endsWith("_failed") ? "warn" : "info";
    const line =
      this.format === "json"
        ? JSON.stringify({
            time: new Date().toISOString(),
            level,
            event,
            message: clean(message),
            ...Object.fromEntries(
              Object.entries(fields)
                .filter(([, value]) => value !== undefined)
                .map(([key, value]) => [key, typeof value === "string" ? clean(value) : value]),
            ),
          })
        : clean(message);
    try {
      this.#write(line, level);
    } catch {}
  }

  /** The store or Redis stopped answering (`down`), or answers again. */
  health(check: "store" | "redis", state: "ok" | "down"): void {
    const what = check === "store" ? "the log store" : "Redis";
    this.emit(
      `${check}_${state === "down" ? "lost" : "regained"}`,
      `keyway serve: ${what} ${state === "down" ? "stopped answering" : "answers again"}`,
      { check },
    );
  }

  /** The server's `onError`: rate-limited as `stderrWarner` is, written as a `warning` event. */
  warner(): (error: unknown) => void {
    return stderrWarner("keyway serve", {
      write: (line) =>
        this.format === "json"
          ? this.emit("warning", line.replace(/^\[keyway\] keyway serve: /, "").trim())
          : this.#write(line.trimEnd(), "warn"),
    });
  }
}
