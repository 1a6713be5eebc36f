import { ProviderError, RequestAbortedError, UpstreamTimeoutError } from "../errors/errors.js";
import { redactText } from "../log/redact.js";
import type { ProviderSpec } from "../providers/provider-spec.js";
import { parseRetryAfter } from "../transport/backoff.js";
import { toAnthropicRequest } from "../wire/anthropic-request.js";
import { fromAnthropicMessage } from "../wire/anthropic-response.js";
import { AnthropicStreamTranslator } from "../wire/anthropic-stream.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { parseSse } from "../wire/sse.js";
import { type BodyLimits, guardedBody, readGuardedText } from "./guarded-body.js";
import { keywayParamNames } from "./keyway-params.js";
import type { UpstreamResponse, UpstreamTransport } from "./upstream-transport.js";

export interface UpstreamAttempt {
  provider: ProviderSpec;
  baseURL: string;
  apiKey: string | undefined;
  upstreamModel: string;
  /** The model as the caller named it; completions report it back. */
  requestedModel: string;
  request: OpenAIChatRequest;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  /** Silence allowed between reads of the body, and the most bytes read from it. */
  bodyLimits: BodyLimits;
  transport: UpstreamTransport;
}

export type UpstreamResult =
  | { kind: "json"; completion: OpenAIChatCompletion }
  | { kind: "stream"; chunks: AsyncGenerator<OpenAIChatChunk>; cancel: () => void };

const ANTHROPIC_VERSION = "2023-06-01";
const keywayNames = new Set<string>(keywayParamNames);

function upstreamBody(attempt: UpstreamAttempt): string {
  const { request, provider, upstreamModel } = attempt;
  if (provider.format === "anthropic-messages")
    return JSON.stringify(toAnthropicRequest(request, upstreamModel));
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) if (!keywayNames.has(key)) body[key] = value;
  body.model = upstreamModel;
  // Usage is needed for the log even when the caller did not ask; the usage-only chunk is stripped again.
  if (request.stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  return JSON.stringify(body);
}

function headersFor(attempt: UpstreamAttempt): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: attempt.request.stream ? "text/event-stream" : "application/json",
  };
  if (attempt.provider.format === "anthropic-messages") {
    headers["anthropic-version"] = ANTHROPIC_VERSION;
    if (attempt.apiKey) headers["x-api-key"] = attempt.apiKey;
  } else if (attempt.apiKey) {
    headers.authorization = `Bearer ${attempt.apiKey}`;
  }
  return { ...headers, ...attempt.provider.headers };
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

const badResponse = (provider: string, what: string) =>
  new ProviderError(provider, 502, `Provider "${provider}" sent ${what}`, { code: "bad_upstream_response" });

/**
 * One HTTP call to a provider in its own wire format, answering in OpenAI's: a completion, or a stream of
 * chunks yielded as they arrive. Failures become `ProviderError` (upstream status, `Retry-After`),
 * `UpstreamTimeoutError` (no headers within `timeoutMs`) or `RequestAbortedError`; the key never appears in them.
 */
export async function callUpstream(attempt: UpstreamAttempt): Promise<UpstreamResult> {
  const { provider, request } = attempt;
  const path = provider.format === "anthropic-messages" ? "/messages" : "/chat/completions";
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), attempt.timeoutMs);
  const signal = attempt.signal ? AbortSignal.any([attempt.signal, timeout.signal]) : timeout.signal;
  const secrets = attempt.apiKey ? [attempt.apiKey] : [];
  let response: UpstreamResponse;
  try {
    response = await attempt.transport(`${attempt.baseURL}${path}`, {
      headers: headersFor(attempt),
      body: upstreamBody(attempt),
      signal,
    });
  } catch (error) {
    if (attempt.signal?.aborted) throw new RequestAbortedError(error);
    if (timeout.signal.aborted) throw new UpstreamTimeoutError(provider.id, attempt.timeoutMs);
    const reason =
      (error as { cause?: { code?: string } }).cause?.code ??
      (error as { code?: string }).code ??
      (error as Error).message;
    throw new ProviderError(
      provider.id,
      0,
      `Provider "${provider.id}" is unreachable: ${redactText(String(reason), secrets)}`,
      {
        code: "upstream_unreachable",
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }

  const limits = attempt.bodyLimits;
  if (response.status < 200 || response.status >= 300) {
    const errorLimits = { ...limits, maxBytes: Math.min(limits.maxBytes, 1024 * 1024) };
    const text = await readGuardedText(response, provider.id, errorLimits, attempt.signal).catch(() => "");
    const retryAfterMs = parseRetryAfter(response.header("retry-after"));
    throw new ProviderError(
      provider.id,
      response.status,
      `Provider "${provider.id}" answered ${response.status}: ${redactText(errorMessageOf(text), secrets)}`,
      {
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }

  const created = Math.floor(Date.now() / 1000);
  if (!request.stream) {
    const text = await readGuardedText(response, provider.id, limits, attempt.signal);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw badResponse(provider.id, "a body that is not JSON");
    }
    if (provider.format === "anthropic-messages") {
      if (typeof body !== "object" || body === null || !Array.isArray(body.content))
        throw badResponse(provider.id, "a message without content");
      return { kind: "json", completion: fromAnthropicMessage(body, attempt.requestedModel, created) };
    }
    if (typeof body !== "object" || body === null || !Array.isArray(body.choices))
      throw badResponse(provider.id, "a completion without choices");
    return { kind: "json", completion: body as unknown as OpenAIChatCompletion };
  }

  const reader = guardedBody(response, provider.id, limits, attempt.signal);
  const cancel = () => response.cancel();
  async function* openAIChunks(): AsyncGenerator<OpenAIChatChunk> {
    for await (const event of parseSse(reader)) {
      if (event.data === "[DONE]") return;
      let chunk: OpenAIChatChunk & { error?: { message?: string } };
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw badResponse(provider.id, "a stream event that is not JSON");
      }
      if (chunk.error)
        throw new ProviderError(
          provider.id,
          500,
          `Provider "${provider.id}" stream error: ${redactText(String(chunk.error.message), secrets)}`,
        );
      yield chunk;
    }
  }
  async function* anthropicChunks(): AsyncGenerator<OpenAIChatChunk> {
    const translator = new AnthropicStreamTranslator(attempt.requestedModel, provider.id, created);
    for await (const event of parseSse(reader)) {
      // Usage is always requested from the translator; the gateway strips it when the caller did not ask.
      for (const chunk of translator.translate(event, true)) yield chunk;
    }
  }
  return {
    kind: "stream",
    chunks: provider.format === "anthropic-messages" ? anthropicChunks() : openAIChunks(),
    cancel,
  };
}
