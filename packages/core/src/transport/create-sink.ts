import { DEFAULT_LOCAL_API_KEY, DEFAULT_LOG_BASE_URL, readEnv } from "../config/env.js";
import { ConsoleLogSink } from "./console-log-sink.js";
import { HttpLogSink, type HttpLogSinkOptions } from "./http-log-sink.js";
import type { LogSink } from "./log-sink.js";

export interface CreateSinkOptions extends Partial<HttpLogSinkOptions> {
  /** `http` (default) or `console` (JSON lines on stderr); env `KEYWAY_LOG_SINK`. */
  kind?: "http" | "console";
  env?: Record<string, string | undefined>;
}

/**
 * The sink a door uses when it is given none. Explicit options win, then env — `KEYWAY_BASE_URL` (or
 * `RESPAN_BASE_URL`), `KEYWAY_API_KEY` (or `RESPAN_API_KEY`), `KEYWAY_SPOOL_DIR` — then the embedded default:
 * `keyway serve` on http://127.0.0.1:8787 with its default key. While nothing listens there, logs wait in the spool.
 * The sink flushes on `beforeExit` and spools on `exit` (until `shutdown()`).
 */
export function createSink(options: CreateSinkOptions = {}): LogSink {
  const env = options.env ?? process.env;
  const kind = options.kind ?? (readEnv("KEYWAY_LOG_SINK", env) as CreateSinkOptions["kind"]) ?? "http";
  if (kind === "console") return new ConsoleLogSink(options);
  const baseURL =
    options.baseURL ??
    readEnv("KEYWAY_BASE_URL", env) ??
    readEnv("RESPAN_BASE_URL", env) ??
    DEFAULT_LOG_BASE_URL;
  const apiKey =
    options.apiKey ??
    readEnv("KEYWAY_API_KEY", env) ??
    readEnv("RESPAN_API_KEY", env) ??
    (baseURL === DEFAULT_LOG_BASE_URL ? DEFAULT_LOCAL_API_KEY : undefined);
  const spoolDir = options.spoolDir ?? readEnv("KEYWAY_SPOOL_DIR", env);
  const sink = new HttpLogSink({
    ...options,
    baseURL,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(spoolDir !== undefined ? { spoolDir } : {}),
  });
  // A door's default sink belongs to no one who would flush it: it flushes when the event loop empties and
  // spools what is left when the process exits. Signals stay the application's.
  sink.registerExitHandlers({ signals: false });
  return sink;
}
