import { createOpenAICompatible, type OpenAICompatibleProvider } from "@ai-sdk/openai-compatible";
import {
  createGateway,
  currentContext,
  type Gateway,
  type IdentityInput,
  resolveIdentity,
} from "@keyway/core";

export interface KeywayProviderSettings {
  /** Direct mode: the in-process gateway (provider keys, key pools, retries, fallbacks, logging). */
  gateway?: Gateway;
  /**
   * Remote mode: the base URL of a Respan-compatible gateway — Respan's cloud or `keyway serve`
   * (`http://127.0.0.1:8787/api`); the provider posts to `{baseURL}/chat/completions`.
   */
  baseURL?: string;
  /** Remote mode: the gateway's API key. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Remote mode: the fetch used to reach the gateway. */
  fetch?: typeof globalThis.fetch;
}

/** The AI SDK provider Keyway returns: call it with a model id (`groq/llama-3.1-8b-instant`, `claude-sonnet-4-5`…). */
export type KeywayProvider = OpenAICompatibleProvider<string, string, string, string>;

type Json = Record<string, unknown>;

// In remote mode the Keyway context (Express/Koa middleware) travels in the body, as Respan reads it.
function withContext(body: Json): Json {
  const context = currentContext();
  if (!context) return body;
  const out: Json = { ...body, ...resolveIdentity({ params: body as IdentityInput, context }) };
  delete out.customer_identifier; // folded into customer_params
  if (context.customer_credentials && out.customer_credentials === undefined)
    out.customer_credentials = context.customer_credentials;
  if (context.credential_override && out.credential_override === undefined)
    out.credential_override = context.credential_override;
  if (context.trace_unique_id && out.trace_unique_id === undefined)
    out.trace_unique_id = context.trace_unique_id;
  if (context.disable_log && out.disable_log === undefined) out.disable_log = true;
  return out;
}

/**
 * A Vercel AI SDK provider (specification v4) whose models go through Keyway. Direct mode (`gateway`, or
 * nothing: `createGateway()` from env) calls the in-process gateway through its `fetch`, so routing,
 * credentials, retries, fallbacks and logging are the one core path. Remote mode (`baseURL`, `apiKey`) calls a
 * Respan-compatible gateway over HTTP. Per-call Keyway parameters go in `providerOptions.keyway`
 * (`customer_identifier`, `customer_params`, `metadata`, `thread_identifier`, `customer_credentials`,
 * `credential_override`, `fallback_models`, `disable_log`, …) and default to the Keyway context.
 * The OpenAI wire mapping is `@ai-sdk/openai-compatible`'s; errors are the AI SDK's `APICallError` with the
 * upstream status, so `ai`'s own retries work.
 *
 * @example
 * const keyway = createKeyway({ gateway });
 * await generateText({ model: keyway("groq/llama-3.1-8b-instant"), prompt, providerOptions: { keyway: { customer_identifier: "u1" } } });
 */
export function createKeyway(settings: KeywayProviderSettings = {}): KeywayProvider {
  const remote = settings.baseURL !== undefined;
  if (remote && settings.gateway)
    throw new TypeError("createKeyway: give either gateway (direct mode) or baseURL (remote mode), not both");
  let gateway = settings.gateway;
  const directFetch: typeof globalThis.fetch = (input, init) => {
    gateway ??= createGateway();
    return gateway.fetch(input, init);
  };
  return createOpenAICompatible({
    name: "keyway",
    baseURL: remote ? (settings.baseURL as string).replace(/\/+$/, "") : "http://keyway.gateway/v1",
    ...(remote && settings.apiKey ? { apiKey: settings.apiKey } : {}),
    headers: { "x-keyway-log-source": "ai-sdk", ...settings.headers },
    fetch: remote ? (settings.fetch ?? ((input, init) => globalThis.fetch(input, init))) : directFetch,
    includeUsage: true,
    supportsStructuredOutputs: true,
    ...(remote ? { transformRequestBody: withContext } : {}),
  });
}
