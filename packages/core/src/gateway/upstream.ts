import { InvalidRequestError, ProviderError } from "../errors/errors.js";
import { redactText } from "../log/redact.js";
import { toAnthropicRequest } from "../wire/anthropic-request.js";
import { fromAnthropicMessage } from "../wire/anthropic-response.js";
import { AnthropicStreamTranslator } from "../wire/anthropic-stream.js";
import { anthropicOnlyFields } from "../wire/messages-to-chat.js";
import {
  attachNative,
  type NativeEvent,
  type NativeRequest,
  nativeAnswer,
  nativeEvents,
} from "../wire/native-passthrough.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { parseSse } from "../wire/sse.js";
import { guardedBody, readGuardedText } from "./guarded-body.js";
import { keywayParamNames } from "./keyway-params.js";
import { badResponse, postUpstream, type UpstreamDeps, type UpstreamTarget } from "./upstream-request.js";

export type UpstreamResult =
  | { kind: "json"; completion: OpenAIChatCompletion }
  | { kind: "stream"; chunks: AsyncGenerator<OpenAIChatChunk>; cancel: () => void };

const keywayNames = new Set<string>(keywayParamNames);

/** Names Keyway reads in its own requests that a provider's API defines for itself (Anthropic's `metadata`). */
const ownedByProvider: Record<string, ReadonlySet<string>> = { "anthropic-messages": new Set(["metadata"]) };

/** The caller's own request for a provider of its API: Keyway's parameters out, the provider's model id in. */
function nativeBody(body: Record<string, unknown>, target: UpstreamTarget): string {
  const own = ownedByProvider[target.provider.format];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (!keywayNames.has(key) || own?.has(key)) out[key] = value;
  out.model = target.upstreamModel;
  return JSON.stringify(out);
}

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
  native?: NativeRequest,
): Promise<UpstreamResult> {
  const { provider } = target;
  const path = provider.format === "anthropic-messages" ? "/messages" : "/chat/completions";
  // The caller speaks this provider's API: its request goes as it came (Keyway's parameters out, the model named
  // the provider's way), and the provider's answer rides back on the canonical one.
  const passThrough = native?.format === provider.format;
  if (native?.format === "anthropic-messages" && !passThrough) {
    const unsupported = anthropicOnlyFields.find((field) => native.body[field] !== undefined);
    if (unsupported)
      throw new InvalidRequestError(
        `${unsupported} is Anthropic's own setting and cannot be sent to provider "${provider.id}"; leave it out or use a claude model.`,
        { field: unsupported },
      );
  }
  const body = passThrough ? nativeBody(native.body, target) : upstreamBody(target, request);
  const response = await postUpstream(target, path, body, {
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
      const completion = fromAnthropicMessage(body, target.requestedModel, created);
      return {
        kind: "json",
        completion: passThrough ? attachNative(completion, nativeAnswer, body) : completion,
      };
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
    let pending: NativeEvent[] = [];
    for await (const event of parseSse(reader)) {
      // Usage is always requested from the translator; the gateway strips it when the caller did not ask.
      const chunks = translator.translate(event, true);
      if (!passThrough) {
        yield* chunks;
        continue;
      }
      pending.push({ ...(event.event ? { event: event.event } : {}), data: JSON.parse(event.data) });
      const [first, ...rest] = chunks;
      if (!first) continue;
      yield attachNative(first, nativeEvents, pending);
      pending = [];
      yield* rest;
    }
    if (passThrough && pending.length > 0) {
      const carrier: OpenAIChatChunk = {
        id: "",
        object: "chat.completion.chunk",
        created,
        model: target.requestedModel,
        choices: [],
      };
      yield attachNative(carrier, nativeEvents, pending);
    }
  }
  return {
    kind: "stream",
    chunks: provider.format === "anthropic-messages" ? anthropicChunks() : openAIChunks(),
    cancel,
  };
}
