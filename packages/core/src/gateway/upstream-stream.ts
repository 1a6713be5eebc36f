import { ProviderError } from "../errors/errors.js";
import { redactText } from "../log/redact.js";
import { AnthropicStreamTranslator } from "../wire/anthropic-stream.js";
import { GeminiStreamTranslator } from "../wire/gemini-response.js";
import { attachNative, type NativeEvent, nativeEvents } from "../wire/native-passthrough.js";
import type { OpenAIChatChunk } from "../wire/openai-types.js";
import { ResponsesStreamTranslator } from "../wire/responses-upstream.js";
import { parseSse, type SseEvent } from "../wire/sse.js";
import { badResponse, type UpstreamTarget } from "./upstream-request.js";

/** Which API an upstream stream speaks. */
export type UpstreamStreamAPI = "openai-chat" | "anthropic-messages" | "openai-responses" | "google-gemini";

async function* openAIChunks(
  events: AsyncIterable<SseEvent>,
  target: UpstreamTarget,
): AsyncGenerator<OpenAIChatChunk> {
  const provider = target.provider.id;
  for await (const event of events) {
    if (event.data === "[DONE]") return;
    let chunk: OpenAIChatChunk & { error?: { message?: string } };
    try {
      chunk = JSON.parse(event.data);
    } catch {
      throw badResponse(provider, "a stream event that is not JSON");
    }
    if (chunk.error)
      throw new ProviderError(
        provider,
        500,
        `Provider "${provider}" stream error: ${redactText(String(chunk.error.message), target.apiKey ? [target.apiKey] : [])}`,
      );
    yield chunk;
  }
}

/**
 * Canonical chunks from a provider API's own events, one event at a time. With `passThrough`, each chunk also
 * carries the provider's events that produced it (those that produced none ride on the next, or on a last empty
 * chunk), for a caller that speaks that API.
 */
async function* translated(
  events: AsyncIterable<SseEvent>,
  translate: (event: SseEvent) => OpenAIChatChunk[],
  passThrough: boolean,
  carrier: () => OpenAIChatChunk,
): AsyncGenerator<OpenAIChatChunk> {
  let pending: NativeEvent[] = [];
  for await (const event of events) {
    const chunks = translate(event);
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
  if (pending.length > 0) yield attachNative(carrier(), nativeEvents, pending);
}

/** An upstream stream, in whichever API it speaks, as canonical OpenAI chunks yielded as they arrive. */
export function upstreamChunks(
  body: AsyncIterable<Uint8Array>,
  api: UpstreamStreamAPI,
  target: UpstreamTarget,
  passThrough: boolean,
  created: number,
): AsyncGenerator<OpenAIChatChunk> {
  const events = parseSse(body);
  if (api === "openai-chat") return openAIChunks(events, target);
  const carrier = (): OpenAIChatChunk => ({
    id: "",
    object: "chat.completion.chunk",
    created,
    model: target.requestedModel,
    choices: [],
  });
  if (api === "openai-responses") {
    const translator = new ResponsesStreamTranslator(target.requestedModel, created);
    return translated(events, (event) => translator.translate(event), passThrough, carrier);
  }
  if (api === "google-gemini") {
    const translator = new GeminiStreamTranslator(target.requestedModel, target.provider.id, created);
    return translated(events, (event) => translator.translate(event), passThrough, carrier);
  }
  const translator = new AnthropicStreamTranslator(target.requestedModel, target.provider.id, created);
  // Usage is always requested from the translator; the gateway strips it when the caller did not ask.
  return translated(events, (event) => translator.translate(event, true), passThrough, carrier);
}
