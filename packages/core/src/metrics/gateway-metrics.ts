import { Counter, Histogram, Registry } from "prom-client";
import { KeywayError } from "../errors/keyway-error.js";
import type { RequestLog } from "../log/request-log.js";
import type { LogSink, SinkCounters } from "../transport/log-sink.js";
import { MetricLabels, statusClass } from "./metric-labels.js";
import { type MetricSource, watchedGauges } from "./watched-gauges.js";

export type { MetricSource } from "./watched-gauges.js";

export interface GatewayMetricsOptions {
  /** Registers there (beside the app's own metrics) instead of a registry of its own. */
  registry?: Registry;
  /** Opt-in labels on the request, token and cost counters: `customer`, `metadata.<key>`. Off by default. */
  labels?: readonly string[];
  /** Distinct model labels kept before the rest count as `other` (default 500). */
  maxModels?: number;
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The gateway's Prometheus metrics, through `prom-client`: every logged call counted (requests, latency, TTFT,
 * tokens, cost, errors, retries, fallbacks), cache lookups and refusals as they happen, and at scrape time the
 * health of each pooled key, what is left of each configured budget and the counters of the sinks watched. Give
 * it to `createGateway({ metrics })`; serve it with `metricsHandler(metrics)`.
 */
export class GatewayMetrics {
  readonly registry: Registry;
  readonly #labels: MetricLabels;
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #ttft: Histogram;
  readonly #tokens: Counter;
  readonly #cost: Counter;
  readonly #errors: Counter;
  readonly #retries: Counter;
  readonly #fallbacks: Counter;
  readonly #cache: Counter;
  readonly #refusals: Counter;
  readonly #sources = new Set<MetricSource>();
  readonly #sinks = new Set<LogSink & { readonly counters?: SinkCounters }>();

  constructor(options: GatewayMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.#labels = new MetricLabels(options.labels, options.maxModels);
    const registers = [this.registry];
    const extra = this.#labels.extraNames;
    const call = ["provider", "model", "stream", "face", "log_source"];
    this.#requests = new Counter({
      name: "keyway_requests_total",
      help: "LLM calls logged, by where they went, how they ended and which face took them.",
      labelNames: [...call, "status_class", ...extra],
      registers,
    });
    this.#duration = new Histogram({
      name: "keyway_request_duration_seconds",
      help: "Latency of a call, first byte in to last byte out.",
      labelNames: call,
      buckets: latencyBuckets,
      registers,
    });
    this.#ttft = new Histogram({
      name: "keyway_time_to_first_token_seconds",
      help: "Time to the first token of a streamed call.",
      labelNames: call,
      buckets: latencyBuckets,
      registers,
    });
    this.#tokens = new Counter({
      name: "keyway_tokens_total",
      help: "Tokens of logged calls: input (the whole prompt) and output.",
      labelNames: ["provider", "model", "direction", ...extra],
      registers,
    });
    this.#cost = new Counter({
      name: "keyway_cost_usd_total",
      help: "Cost of logged calls in USD.",
      labelNames: ["provider", "model", ...extra],
      registers,
    });
    this.#errors = new Counter({
      name: "keyway_errors_total",
      help: "Failed gateway calls by Keyway's stable error code.",
      labelNames: ["provider", "model", "code"],
      registers,
    });
    this.#retries = new Counter({
      name: "keyway_retries_total",
      help: "Upstream attempts after a call's first (retries and fallbacks).",
      labelNames: ["provider", "model"],
      registers,
    });
    this.#fallbacks = new Counter({
      name: "keyway_fallbacks_total",
      help: "Calls answered by a fallback model (labelled with the model that answered).",
      labelNames: ["provider", "model"],
      registers,
    });
    this.#cache = new Counter({
      name: "keyway_cache_lookups_total",
      help: "Response-cache lookups of calls with cache_enabled.",
      labelNames: ["result"],
      registers,
    });
    this.#refusals = new Counter({
      name: "keyway_refusals_total",
      help: "Calls refused before they were sent: over a budget or a rate limit (by error code).",
      labelNames: ["code"],
      registers,
    });
    watchedGauges(this.registry, this.#sources, this.#sinks);
  }

  /** One finished call's log. `face`: the API it came through (`chat`, `responses`, …; `ingest` for a door's log). */
  observe(log: RequestLog, face: string, error?: unknown): void {
    const provider = this.#labels.provider(log);
    const model = this.#labels.model(log);
    const extra = this.#labels.extra(log);
    const call = {
      provider,
      model,
      stream: log.stream === true ? "true" : "false",
      face,
      log_source: typeof log.log_source === "string" ? log.log_source : "unknown",
    };
    this.#requests.inc({ ...call, status_class: statusClass(log), ...extra });
    if (typeof log.latency === "number") this.#duration.observe(call, log.latency);
    if (typeof log.time_to_first_token === "number") this.#ttft.observe(call, log.time_to_first_token);
    if (typeof log.prompt_tokens === "number" && log.prompt_tokens > 0)
      this.#tokens.inc({ provider, model, direction: "input", ...extra }, log.prompt_tokens);
    if (typeof log.completion_tokens === "number" && log.completion_tokens > 0)
      this.#tokens.inc({ provider, model, direction: "output", ...extra }, log.completion_tokens);
    if (typeof log.cost === "number" && log.cost > 0) this.#cost.inc({ provider, model, ...extra }, log.cost);
    if (error !== undefined)
      this.#errors.inc({ provider, model, code: KeywayError.isInstance(error) ? error.code : "internal" });
    if (typeof log.attempts === "number" && log.attempts > 1)
      this.#retries.inc({ provider, model }, log.attempts - 1);
    if (Array.isArray(log.fallback_from) && log.fallback_from.length > 0)
      this.#fallbacks.inc({ provider, model });
  }

  cacheLookup(result: "hit" | "miss"): void {
    this.#cache.inc({ result });
  }

  /** A call refused by governance (budget, rate limit) before it was sent, and so never logged. */
  refused(error: unknown): void {
    this.#refusals.inc({ code: KeywayError.isInstance(error) ? error.code : "internal" });
  }

  /** Reads the gateway's keys and budgets at each scrape, until `unwatch` (its `close`). */
  watch(source: MetricSource): void {
    this.#sources.add(source);
  }

  unwatch(source: MetricSource): void {
    this.#sources.delete(source);
  }

  /** Reports a sink's delivery counters (an `HttpLogSink`'s) at each scrape. */
  watchSink(sink: LogSink): void {
    this.#sinks.add(sink);
  }

  /** The exposition text and its content type. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
