import { stderrWarner } from "../errors/stderr-warner.js";
import type { PrepareLogOptions } from "../log/prepare-log.js";
import { SecretMatcher } from "../log/secret-matcher.js";
import type { LogDeliveryIssue } from "./log-sink.js";
import type { Scheduler } from "./scheduler.js";
import { defaultSpoolDir, Spool } from "./spool.js";

export interface HttpLogSinkOptions extends Omit<PrepareLogOptions, "secrets"> {
  /** Known secrets to remove from every log (any casing, base64 too), besides key-shaped patterns. */
  secrets?: Iterable<string>;
  /** The logging endpoint's origin: Respan's cloud or `keyway serve`. */
  baseURL: string;
  apiKey?: string;
  /**
   * `batch`: JSON arrays to `/api/request-logs/batch/`; `single`: one log per `POST /api/request-logs/create/`;
   * `auto` (default): batch, falling back to single for good when the endpoint has no batch route (404/405).
   */
  route?: "auto" | "batch" | "single";
  maxBatchSize?: number;
  maxBatchBytes?: number;
  /** How long a partial batch waits for company. */
  flushIntervalMs?: number;
  /** Bounds of what is held in memory; past them logs go to the spool. */
  maxQueueSize?: number;
  maxQueueBytes?: number;
  maxConcurrentSends?: number;
  /** Retries of one batch (network errors, timeouts, 408/429/5xx) before it is spooled. */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
  /** Directory of the append-only spool, or false to keep nothing on disk (logs past the bounds are dropped). */
  spoolDir?: string | false;
  /** Re-send spooled logs found in `spoolDir` (at start, and whenever the endpoint answers again). Default true. */
  replaySpool?: boolean;
  /** How long `shutdown()` tries to deliver before it spools what is left. */
  shutdownTimeoutMs?: number;
  /**
   * How long `flush()` waits for delivery (default 30 s) before it spools what is left. While it waits it keeps
   * the process alive, so `await sink.flush()` at the end of a script delivers or spools every log.
   */
  flushTimeoutMs?: number;
  /** How long a spool file claimed for replay stays claimed without its owner renewing it (default 30 s). */
  spoolLeaseMs?: number;
  onError?: (issue: LogDeliveryIssue) => void;
  fetch?: typeof globalThis.fetch;
  random?: () => number;
  /** Timers and clock (default: real, `unref`ed); tests pass a manual one. */
  scheduler?: Scheduler;
}

export const sinkDefaults = {
  maxBatchSize: 100,
  maxBatchBytes: 4 * 1024 * 1024,
  flushIntervalMs: 250,
  maxQueueSize: 10_000,
  maxQueueBytes: 32 * 1024 * 1024,
  maxConcurrentSends: 4,
  maxRetries: 6,
  backoffBaseMs: 200,
  backoffMaxMs: 30_000,
  requestTimeoutMs: 10_000,
  shutdownTimeoutMs: 5_000,
  flushTimeoutMs: 30_000,
};

export type SinkLimits = typeof sinkDefaults;

/** The numeric settings, defaulted in one place. */
export function sinkLimits(options: HttpLogSinkOptions): SinkLimits {
  const limits = { ...sinkDefaults };
  for (const key of Object.keys(sinkDefaults) as (keyof SinkLimits)[]) {
    const value = options[key];
    if (typeof value === "number") limits[key] = value;
  }
  return limits;
}

/** The default `onError`: logs that are lost (rejected, dropped, unspoolable) are never lost silently. */
export function warnOnLoss(): (issue: LogDeliveryIssue) => void {
  const warn = stderrWarner("log sink");
  return (issue) => {
    if (issue.kind !== "retrying" && issue.kind !== "spooled") warn(`${issue.kind}: ${issue.message}`);
  };
}

/** How the sink prepares each log: the known secrets compiled once (every log is checked against them). */
export function prepareOptions(options: HttpLogSinkOptions): PrepareLogOptions {
  return {
    secrets: new SecretMatcher([...(options.secrets ?? []), ...(options.apiKey ? [options.apiKey] : [])]),
    ...(options.redact ? { redact: options.redact } : {}),
    ...(options.maxStringChars !== undefined ? { maxStringChars: options.maxStringChars } : {}),
  };
}

/** The sink's spool, unless `spoolDir: false`. */
export function spoolOf(options: HttpLogSinkOptions): Spool | undefined {
  if (options.spoolDir === false) return undefined;
  return new Spool(options.spoolDir ?? defaultSpoolDir(), {
    ...(options.spoolLeaseMs !== undefined ? { leaseMs: options.spoolLeaseMs } : {}),
  });
}
