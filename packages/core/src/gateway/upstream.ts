import { ProviderError } from "../errors/errors.js";
import { redactText } from "../log/redact.js";
import { toAnthropicRequest } from "../wire/anthropic-request.js";
import { fromAnthropicMessage } from "../wire/anthropic-response.js";
import { AnthropicStreamTranslator } from "../wire/anthropic-stream.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { parseSse } from "../wire/sse.js";
import { guardedBody, readGuardedText } from "./guarded-body.js";
import { keywayParamNames } from "./keyway-params.js";
import { badResponse, postUpstream, type UpstreamDeps, type UpstreamTarget } from "./upstream-request.js";

export type UpstreamResult =
  | { kind: "json"; completion: OpenAIChatCompletion }
  | { kind: "stream"; chunks: AsyncGenerator<OpenAIChatChunk>; cancel: () => void };

const keywayNames = new Set<string>(keywayParamNames);

function upstreamBody(target: UpstreamTarget, request: OpenAIChatRequest): string {
  if (target.provider.format === "anthropic-messages")
    return JSON.stringify(toAnthropicRequest(request, target.upstreamModel));
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) if (!keywayNames.has(key)) body[key] = value;
  body.model = target.upstreamModel;
  // Usage is needed for the log even when the caller did not ask; the usage-only chunk is stripped again.
  if (request.stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  return JSON.stringify(body);
}

/**
 * One chat call to a provider in its own wire format, answering in OpenAI's: a completion, or a stream of
 * chunks yielded as they arrive. Errors as `postUpstream` types them.
 */
export async function callUpstream(
  target: UpstreamTarget,
  request: OpenAIChatRequest,
  signal: AbortSignal | undefined,
  deps: UpstreamDeps,
): Promise<UpstreamResult> {
  const { provider } = target;
  const path = provider.format === "anthropic-messages" ? "/messages" : "/chat/completions";
  const response = await postUpstream(target, path, upstreamBody(target, request), {
    stream: request.stream === true,
    signal,
    deps,
  });
  const limits = deps.bodyLimits;
  const secrets = target.apiKey ? [target.apiKey] : [];
  const created = Math.floor(Date.now() / 1000);
  if (!request.stream) {
    const text = await readGuardedText(response, provider.id, limits, signal);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw badResponse(provider.id, "a body that is not JSON");
    }
    if (provider.format === "anthropic-messages") {
      if (typeof body !== "object" || body === null || !Array.isArray(body.content))
        throw badResponse(provider.id, "a message without content");
      return { kind: "json", completion: fromAnthropicMessage(body, target.requestedModel, created) };
    }
    if (typeof body !== "object" || body === null || !Array.isArray(body.choices))
      throw badResponse(provider.id, "a completion without choices");
    return { kind: "json", completion: body as unknown as OpenAIChatCompletion };
  }

  const reader = guardedBody(response, provider.id, limits, signal);
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
    const translator = new AnthropicStreamTranslator(target.requestedModel, provider.id, created);
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
