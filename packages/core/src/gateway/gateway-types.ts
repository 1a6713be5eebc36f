import type { KeywayContext } from "../context/context.js";
import type { KeyHealth } from "../credentials/key-pool.js";
import type { ProviderRegistry } from "../providers/provider-registry.js";
import type { LogSink } from "../transport/log-sink.js";
import type { NativeRequest } from "../wire/native-passthrough.js";
import type {
  OpenAIChatChunk,
  OpenAIChatCompletion,
  OpenAIChatRequest,
  OpenAIEmbeddingsRequest,
  OpenAIEmbeddingsResponse,
} from "../wire/openai-types.js";
import type { BudgetUsage } from "./governance/budgets.js";
import type { CallerLimits } from "./governance/governance.js";
import type { KeywayParams } from "./request/keyway-params.js";

/** A chat request: OpenAI's body plus Respan's extensions (`customer_identifier`, `fallback_models`, …). */
export type ChatRequest = OpenAIChatRequest & KeywayParams;

/** An embeddings request: OpenAI's body plus Respan's extensions. */
export type EmbeddingsRequest = OpenAIEmbeddingsRequest & KeywayParams;

export interface ChatOptions {
  signal?: AbortSignal;
  /** Pins the provider (like the `X-Respan-Route-Provider` header). */
  provider?: string;
  /** Keyway parameters from outside the body (the `X-Data-Respan-Params` header), lowest precedence. */
  paramsHeader?: string | null;
  /** `log_source` for this call's log. */
  logSource?: string;
  /** The API the call came through, for metrics (`chat`, `responses`, `messages`, `gemini`, `embeddings`; default `library`). */
  face?: string;
  /** `log_type` for this call's log (default `chat`; the Responses face logs `response`). */
  logType?: string;
  /** A context to use instead of the ambient one. */
  context?: KeywayContext;
  /**
   * The key the caller presented to the gateway (its `Authorization` bearer; the HTTP faces fill it in): what
   * per-API-key rate limits count against. Only its fingerprint is kept.
   */
  apiKey?: string;
  /** Limits of the caller's key (a managed API key of `keyway serve`): allowed models, its budget and rate. */
  callerLimits?: CallerLimits;
  /**
   * The caller's own request in a provider's API (the Messages face): sent as it came when the call lands on a
   * provider of that API, whose own answer then rides back on the canonical one.
   */
  native?: NativeRequest;
}

/** A streamed completion: OpenAI chunks as they arrive. Stopping early cancels the upstream and logs it. */
export interface ChatStream extends AsyncIterable<OpenAIChatChunk> {
  readonly provider: string;
  readonly model: string;
  /** With `cache_enabled`: whether the stream is replayed from the cache. */
  readonly cache?: "hit" | "miss";
}

/** `gateway.chat`: a stream for `stream: true`, a completion otherwise. */
export interface ChatMethod {
  (request: ChatRequest & { stream: true }, options?: ChatOptions): Promise<ChatStream>;
  (request: ChatRequest & { stream?: false | null }, options?: ChatOptions): Promise<OpenAIChatCompletion>;
  (request: ChatRequest, options?: ChatOptions): Promise<OpenAIChatCompletion | ChatStream>;
}

export interface Gateway {
  chat: ChatMethod;
  /** OpenAI embeddings from providers that have them (openai, mistral, togetherai, fireworks, custom); logged. */
  embeddings(request: EmbeddingsRequest, options?: ChatOptions): Promise<OpenAIEmbeddingsResponse>;
  /** A Fetch-API handler: `POST …/chat/completions` and `…/embeddings` (OpenAI-compatible + Respan extensions), `GET …/models`. */
  fetch: typeof globalThis.fetch;
  /** Health of every configured key, by fingerprint. */
  keyHealth(): KeyHealth[];
  /**
   * Spend against each configured customer budget, and the response cache's hits and misses, from the gateway's
   * state (every instance's, when it is shared).
   */
  usage(): Promise<GatewayUsage>;
  readonly providers: ProviderRegistry;
  /** The sink the gateway logs to. */
  readonly sink: LogSink;
  /**
   * Stops taking calls, lets the ones in flight finish (up to `closeTimeoutMs`, then cuts them), closes the
   * upstream keep-alive connections and shuts down the sink the gateway made itself (a sink it was given is
   * flushed, not shut: it may serve others). Idempotent; later calls fail with `gateway_closed`.
   */
  close(): Promise<void>;
}

/** What `gateway.usage()` reports. */
export interface GatewayUsage {
  budgets: BudgetUsage[];
  cache: { hits: number; misses: number; hit_rate: number | null };
}
