import { createSink, type LogSink, type ModelPrices } from "@keyway/core";
import { inheritIdentity } from "./inherit-identity.js";
import type { SpanLike } from "./span-like.js";
import { readSpan, spanToLog } from "./span-to-log.js";

/** `ExportResultCode` of `@opentelemetry/core` (the same values in 1.x, 2.x and 3.x). */
const SUCCESS = 0;
const FAILED = 1;

export interface KeywaySpanExporterOptions {
  /** Where logs go; default `createSink()` (env, else `keyway serve` on loopback). */
  sink?: LogSink;
  /** Also log every other span of a trace that holds a model call (agent, step, tool…), as trace spans. Default false. */
  logTraceTree?: boolean;
  prices?: Record<string, ModelPrices>;
  onError?: (error: unknown) => void;
}

/**
 * An OpenTelemetry `SpanExporter` (SDK 2.x `sdk-trace-base` and 3.x `sdk-trace`, `NodeSDK` via `traceExporter`
 * or `spanProcessors`) that turns GenAI spans into Keyway request logs: the innermost model-call span is the
 * request; the agent/step/generateText spans around it are never second requests (with `logTraceTree` they are
 * logged as spans of the trace). Non-LLM spans are skipped unless `logTraceTree`. `export` reports SUCCESS once
 * the logs are handed to the sink, which owns retries and spooling; `forceFlush` and `shutdown` flush the sink (`shutdown` closes it when the exporter made it).
 * Nothing is ever thrown into the SDK.
 *
 * @example
 * new NodeSDK({ traceExporter: new KeywaySpanExporter() }).start();
 */
export class KeywaySpanExporter {
  readonly #options: KeywaySpanExporterOptions;
  #sink: LogSink | undefined;
  #ownsSink: boolean;
  #shutdown: Promise<void> | undefined;

  constructor(options: KeywaySpanExporterOptions = {}) {
    this.#options = options;
    this.#sink = options.sink;
    this.#ownsSink = options.sink === undefined;
  }

  #getSink(): LogSink {
    this.#sink ??= createSink();
    return this.#sink;
  }

  export(
    spans: readonly SpanLike[],
    resultCallback: (result: { code: number; error?: Error }) => void,
  ): void {
    if (this.#shutdown) {
      resultCallback({ code: FAILED, error: new Error("KeywaySpanExporter is shut down") });
      return;
    }
    try {
      const sink = this.#getSink();
      for (const span of inheritIdentity(spans)) {
        try {
          const reading = readSpan(span);
          if (!reading) {
            if (this.#options.logTraceTree)
              sink.log(spanToLog(span, { kind: "span", logType: "task" }, this.#options));
            continue;
          }
          if (reading.kind === "span" && !this.#options.logTraceTree) continue;
          sink.log(spanToLog(span, reading, this.#options));
        } catch (error) {
          this.#report(error);
        }
      }
      resultCallback({ code: SUCCESS });
    } catch (error) {
      this.#report(error);
      resultCallback({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.#sink?.flush();
    } catch (error) {
      this.#report(error);
    }
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      try {
        // A sink the exporter made is its own to close; a sink it was given may serve other doors: flush only.
        if (this.#ownsSink) await this.#sink?.shutdown();
        else await this.#sink?.flush();
      } catch (error) {
        this.#report(error);
      }
    })();
    return this.#shutdown;
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {}
  }
}
