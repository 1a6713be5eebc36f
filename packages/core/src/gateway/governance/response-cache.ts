import { createHash } from "node:crypto";
import type { KeywayContext } from "../../context/context.js";
import type { NativeRequest } from "../../wire/native-passthrough.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../../wire/openai-types.js";
import { type KeywayParams, keywayParamNames } from "../request/keyway-params.js";
import type { StreamEnd } from "../upstream/relay-stream.js";
import { type GatewayState, LIFETIME_TTL_MS } from "./gateway-state.js";

export const DEFAULT_CACHE_TTL_SECONDS = 86_400;
const STATS = { hits: "stats:cache:hits", misses: "stats:cache:misses" };

/** What a cache entry holds: the completion, and the provider that made it (for the hit's log). */
export interface CachedAnswer {
  completion: OpenAIChatCompletion;
  provider: string | undefined;
}

/**
 * Everything in the request decides the answer except how it is delivered and Keyway's own parameters (who the
 * call is for, how it is logged): a setting this list does not know (a new sampling knob, `reasoning_effort`)
 * then splits entries instead of serving a wrong one.
 */
const deliveryFields = new Set<string>(["stream", "stream_options", ...keywayParamNames]);
// A prompt (Respan's template, or the Responses API's own) decides the answer.
deliveryFields.delete("prompt");
/** Keyway's parameters that change which model or provider answers. */
const routingParams = [
  "models",
  "fallback_models",
  "exclude_models",
  "exclude_providers",
  "load_balance_group",
  "load_balance_models",
] as const;

/** What, besides the canonical request, decides an answer: the caller's own request when passed through. */
export interface CacheKeyParts {
  native?: NativeRequest | undefined;
  /** The provider hint (`x-keyway-provider`, Respan's provider header). */
  provider?: string | undefined;
}

function picked(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body).sort(([a], [b]) => (a < b ? -1 : 1)))
    if (!deliveryFields.has(field) && value !== undefined) out[field] = value;
  return out;
}

/**
 * Respan's response cache, on `GatewayState`: `cache_enabled`, `cache_ttl` (seconds), `cache_options`
 * (`cache_by_customer`, `omit_log`). Streamed and non-streamed calls share entries: a stream is replayed from a
 * cached completion.
 */
export class ResponseCache {
  constructor(private readonly state: GatewayState) {}

  /**
   * The request as it goes upstream (the caller's native body on pass-through, which holds settings the canonical
   * request has no place for), the provider hint, the routing parameters and the credentials' source — never
   * who the call is for, unless `cache_options.cache_by_customer` (Respan's default: customers share entries).
   */
  keyOf(
    request: OpenAIChatRequest,
    params: KeywayParams,
    context: KeywayContext | undefined,
    parts: CacheKeyParts = {},
  ): string {
    const key: Record<string, unknown> = { request: picked(request as unknown as Record<string, unknown>) };
    if (parts.native) key.native = { format: parts.native.format, body: picked(parts.native.body) };
    if (parts.provider) key.provider = parts.provider;
    for (const name of routingParams) if (params[name] !== undefined) key[name] = params[name];
    const credentials = {
      customer: params.customer_credentials ?? context?.customer_credentials,
      override: { ...context?.credential_override, ...params.credential_override },
    };
    // A key from the caller answers as that key's account would: its entries are its own (hashed, never stored).
    if (credentials.customer !== undefined || Object.keys(credentials.override).length > 0)
      key.credentials = createHash("sha256").update(JSON.stringify(credentials)).digest("hex");
    if (params.cache_options?.cache_by_customer)
      key.customer =
        params.customer_identifier ??
        params.customer_params?.customer_identifier ??
        context?.customer_params?.customer_identifier ??
        null;
    return `cache:${createHash("sha256").update(JSON.stringify(key)).digest("hex")}`;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const text = await this.state.get(key);
    // Counted in the shared state, so the hit rate is every instance's.
    this.state.add(text === undefined ? STATS.misses : STATS.hits, 1, LIFETIME_TTL_MS).catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as CachedAnswer);
  }

  /** Lookups that were hits and misses, since the state began. */
  async stats(): Promise<{ hits: number; misses: number }> {
    const [hits, misses] = await Promise.all([this.state.get(STATS.hits), this.state.get(STATS.misses)]);
    return { hits: Number(hits ?? 0), misses: Number(misses ?? 0) };
  }

  async set(key: string, answer: CachedAnswer, params: KeywayParams): Promise<void> {
    await this.state.set(key, JSON.stringify(answer), (params.cache_ttl ?? DEFAULT_CACHE_TTL_SECONDS) * 1000);
  }
}

/** A finished stream as the completion it amounts to, for the cache. */
export function completionOf(end: StreamEnd, model: string): OpenAIChatCompletion | undefined {
  if (end.error !== undefined || !end.completion) return undefined;
  return {
    id: `chatcmpl-cache-${Date.now().toString(36)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: end.completion, finish_reason: end.finishReason ?? "stop" }],
    ...(end.usage ? { usage: end.usage } : {}),
  } as OpenAIChatCompletion;
}

/** A cached completion replayed as a stream: the role, the content, the tool calls, the finish, the usage. */
export async function* replay(
  completion: OpenAIChatCompletion,
  withUsage: boolean,
): AsyncGenerator<OpenAIChatChunk> {
  const choice = completion.choices[0];
  const head = {
    id: completion.id,
    object: "chat.completion.chunk" as const,
    created: completion.created,
    model: completion.model,
  };
  const message = choice?.message;
  yield { ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] };
  if (typeof message?.content === "string" && message.content !== "")
    yield { ...head, choices: [{ index: 0, delta: { content: message.content }, finish_reason: null }] };
  const calls = (message?.tool_calls ?? []).map((call, index) => ({ index, ...call }));
  if (calls.length > 0)
    yield { ...head, choices: [{ index: 0, delta: { tool_calls: calls }, finish_reason: null }] };
  yield { ...head, choices: [{ index: 0, delta: {}, finish_reason: choice?.finish_reason ?? "stop" }] };
  if (withUsage && completion.usage) yield { ...head, choices: [], usage: completion.usage };
}

/** Whether an answer came from the cache (`x-keyway-cache: hit|miss`): on completions, not part of their JSON. */
export const cacheStatus = Symbol.for("keyway.cacheStatus");

export function markCache<T extends object>(answer: T, status: "hit" | "miss" | undefined): T {
  if (status) Object.defineProperty(answer, cacheStatus, { value: status, enumerable: false });
  return answer;
}
