import { ProviderError, RequestAbortedError, UpstreamTimeoutError } from "../../errors/errors.js";
import { redactText } from "../../log/redact.js";
import type { ProviderSpec } from "../../providers/provider-spec.js";
import { parseRetryAfter } from "../../transport/backoff.js";
import type { UpstreamResponse, UpstreamTransport } from "../../transport/upstream-transport.js";
import type { OpenAIChatChunk, OpenAIChatCompletion } from "../../wire/openai-types.js";
import { authHeaders } from "./auth-headers.js";
import { endpointURL } from "./endpoint-url.js";
import type { GoogleTokens } from "./google-tokens.js";
import { type BodyLimits, readGuardedText } from "./guarded-body.js";

/** A chat call's answer in the canonical form: a completion, or chunks yielded as they arrive. */
export type UpstreamResult =
  | { kind: "json"; completion: OpenAIChatCompletion }
  | { kind: "stream"; chunks: AsyncGenerator<OpenAIChatChunk>; cancel: () => void };

/** Where one attempt goes: the provider, its base URL and key, and the model as each side names it. */
export interface UpstreamTarget {
  provider: ProviderSpec;
  baseURL: string;
  apiKey: string | undefined;
  /** The `api-version` its endpoints take (Azure). */
  apiVersion?: string | undefined;
  /** Vertex AI: the project and location. */
  project?: string;
  location?: string;
  /** AWS: the region. */
  region?: string;
  upstreamModel: string;
  /** The model as the caller named it; answers report it back. */
  requestedModel: string;
}

/** How upstream calls are made: fixed for a gateway's lifetime. */
export interface UpstreamDeps {
  transport: UpstreamTransport;
  /** Service accounts' OAuth tokens (Vertex AI), cached for the gateway's lifetime. */
  googleTokens: GoogleTokens;
  /** Time allowed for the headers. */
  timeoutMs: number;
  /** Silence allowed between reads of the body, and the most bytes read from it. */
  bodyLimits: BodyLimits;
}

const ANTHROPIC_VERSION = "2023-06-01";

export function headersFor(
  target: UpstreamTarget,
  stream: boolean,
  auth: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: stream ? "text/event-stream" : "application/json",
    ...auth,
  };
  if (target.provider.format === "anthropic-messages") headers["anthropic-version"] = ANTHROPIC_VERSION;
  return { ...headers, ...target.provider.headers };
}

function errorMessageOf(text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown } | string;
      message?: unknown;
      detail?: unknown;
    };
    if (typeof body.error === "string") return body.error;
    const message = body.error?.message ?? body.message ?? body.detail;
    if (typeof message === "string") return message;
  } catch {}
  return text.slice(0, 300) || "no body";
}

export { badResponse } from "./guarded-body.js";

/**
 * One POST to a provider, resolving with its 2xx answer. Anything else is typed: `ProviderError` (the upstream
 * status and `Retry-After`, or unreachable), `UpstreamTimeoutError` (no headers within `timeoutMs`) or
 * `RequestAbortedError`; the key never appears in them.
 */
export function postUpstream(
  target: UpstreamTarget,
  path: string,
  body: string,
  options: UpstreamCallOptions,
): Promise<UpstreamResponse> {
  return callUpstreamURL(target, endpointURL(target, path, options.stream), body, options);
}

export interface UpstreamCallOptions {
  stream: boolean;
  signal: AbortSignal | undefined;
  deps: UpstreamDeps;
  /** GET follows a link the provider answered with (no body); POST by default. */
  method?: "GET" | "POST";
  /** Headers of this call only (Replicate's `Prefer: wait`). */
  headers?: Record<string, string>;
}

/** `postUpstream` to an absolute URL: the same auth, timeout, typed errors and redaction. */
export async function callUpstreamURL(
  target: UpstreamTarget,
  url: string,
  body: string,
  options: UpstreamCallOptions,
): Promise<UpstreamResponse> {
  const { provider, apiKey } = target;
  const { deps, signal: callerSignal } = options;
  // One signal for the transport, aborted by the caller (a client gone) or by the headers' timeout: a listener
  // on the caller's signal rather than `AbortSignal.any`, whose composite signals (weak references, a
  // finalization registry) cost ~15 times as much on every call (bench/micro-costs.mjs).
  const upstream = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    upstream.abort();
  }, deps.timeoutMs);
  if (callerSignal?.aborted) upstream.abort(callerSignal.reason);
  else callerSignal?.addEventListener("abort", () => upstream.abort(callerSignal.reason), { once: true });
  const { signal } = upstream;
  // The auth step first (a token fetch fails typed, on its own); what it sends is redacted like the key.
  const auth = await authHeaders(target, deps, { url, body });
  const secrets = [
    ...(apiKey ? [apiKey] : []),
    ...Object.values(auth).map((value) => value.replace(/^Bearer /, "")),
  ];
  let response: UpstreamResponse;
  try {
    response = await deps.transport(url, {
      headers: { ...headersFor(target, options.stream, auth), ...options.headers },
      body,
      signal,
      ...(options.method ? { method: options.method } : {}),
    });
  } catch (error) {
    if (callerSignal?.aborted) throw new RequestAbortedError(error);
    if (timedOut) throw new UpstreamTimeoutError(provider.id, deps.timeoutMs);
    const reason =
      (error as { cause?: { code?: string } }).cause?.code ??
      (error as { code?: string }).code ??
      (error as Error).message;
    throw new ProviderError(
      provider.id,
      0,
      `Provider "${provider.id}" is unreachable: ${redactText(String(reason), secrets)}`,
      { code: "upstream_unreachable", cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  if (response.status >= 200 && response.status < 300) return response;
  const errorLimits = { ...deps.bodyLimits, maxBytes: Math.min(deps.bodyLimits.maxBytes, 1024 * 1024) };
  const text = await readGuardedText(response, provider.id, errorLimits, callerSignal).catch(() => "");
  const retryAfterMs = parseRetryAfter(response.header("retry-after"));
  throw new ProviderError(
    provider.id,
    response.status,
    `Provider "${provider.id}" answered ${response.status}: ${redactText(errorMessageOf(text), secrets)}`,
    { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
  );
}
