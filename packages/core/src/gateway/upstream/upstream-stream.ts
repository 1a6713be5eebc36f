import { ProviderError } from "../../errors/errors.js";
import { REDACTED, redactText } from "../../log/redact.js";
import { SecretMatcher } from "../../log/secret-matcher.js";
import { AnthropicStreamTranslator } from "../../wire/anthropic/anthropic-stream.js";
import { ConverseStreamTranslator } from "../../wire/bedrock/converse-response.js";
import { eventStreamEvents } from "../../wire/bedrock/event-stream.js";
import { CohereStreamTranslator } from "../../wire/cohere/cohere-response.js";
import { GeminiStreamTranslator } from "../../wire/gemini/gemini-response.js";
import { attachNative, type NativeEvent, nativeEvents } from "../../wire/native-passthrough.js";
import type { OpenAIChatChunk } from "../../wire/openai-types.js";
import { PredictionStreamTranslator } from "../../wire/replicate/prediction.js";
import { ResponsesStreamTranslator } from "../../wire/responses/responses-upstream.js";
import { parseSse, type SseEvent } from "../../wire/sse.js";
import { streamEventJson } from "../../wire/stream-event.js";
import { badResponse, type UpstreamTarget } from "./upstream-request.js";

/** Which API an upstream stream speaks. */
export type UpstreamStreamAPI =
  | "openai-chat"
  | "anthropic-messages"
  | "openai-responses"
  | "google-gemini"
  | "bedrock-converse"
  | "cohere-chat"
  | "replicate-predictions";

/** The chat API's stream: its chunks as they come, ended by `[DONE]` (or, for a provider that omits it, a finish). */
async function* openAIChunks(
  events: AsyncIterable<SseEvent>,
  target: UpstreamTarget,
): AsyncGenerator<OpenAIChatChunk> {
  const provider = target.provider.id;
  let finished = false;
  for await (const event of events) {
    if (event.data === "[DONE]") return;
    const chunk = streamEventJson(event, provider) as unknown as OpenAIChatChunk & {
      error?: { message?: string };
    };
    if (chunk.error)
      throw new ProviderError(
        provider,
        500,
        `Provider "${provider}" stream error: ${String(chunk.error.message)}`,
      );
    if (!Array.isArray(chunk.choices)) throw badResponse(provider, "a stream chunk without choices");
    if (chunk.choices.some((choice) => choice?.finish_reason)) finished = true;
    yield chunk;
  }
  if (!finished) throw cutOff(provider);
}

const cutOff = (provider: string) => badResponse(provider, "a stream that ended before its last event");

/** A provider API's stream translator: canonical chunks per event, and whether the stream's end event came. */
interface Translator {
  translate(event: SseEvent): OpenAIChatChunk[];
  readonly ended: boolean;
}

/**
 * Canonical chunks from a provider API's own events, one event at a time. With `passThrough`, each chunk also
 * carries the provider's events that produced it (those that produced none ride on the next, or on a last empty
 * chunk), for a caller that speaks that API: each with the call's key taken out, should the provider echo it.
 */
async function* translated(
  events: AsyncIterable<SseEvent>,
  translator: Translator,
  target: UpstreamTarget,
  passThrough: boolean,
  carrier: () => OpenAIChatChunk,
  secrets: () => SecretMatcher,
): AsyncGenerator<OpenAIChatChunk> {
  let pending: NativeEvent[] = [];
  for await (const event of events) {
    const chunks = translator.translate(event);
    if (!passThrough) {
      yield* chunks;
      continue;
    }
    const matcher = secrets();
    const data = matcher.test(event.data) ? matcher.replace(event.data, REDACTED) : event.data;
    pending.push({ ...(event.event ? { event: event.event } : {}), data: JSON.parse(data) });
    const [first, ...rest] = chunks;
    if (!first) continue;
    yield attachNative(first, nativeEvents, pending);
    pending = [];
    yield* rest;
  }
  if (!translator.ended) throw cutOff(target.provider.id);
  if (pending.length > 0) yield attachNative(carrier(), nativeEvents, pending);
}

/**
 * Every error a stream ends with passes the redaction non-stream errors do (the call's key, key shapes), since
 * its message reaches the caller as the face's error event.
 */
async function* redactingErrors(
  chunks: AsyncGenerator<OpenAIChatChunk>,
  secrets: () => SecretMatcher,
): AsyncGenerator<OpenAIChatChunk> {
  try {
    yield* chunks;
  } catch (error) {
    if (error instanceof Error) error.message = redactText(error.message, secrets());
    throw error;
  }
}

/** An upstream stream, in whichever API it speaks, as canonical OpenAI chunks yielded as they arrive. */
export function upstreamChunks(
  body: AsyncIterable<Uint8Array>,
  api: UpstreamStreamAPI,
  target: UpstreamTarget,
  passThrough: boolean,
  created: number,
): AsyncGenerator<OpenAIChatChunk> {
  // Bedrock streams in AWS's binary event stream, the others in server-sent events.
  const events = api === "bedrock-converse" ? eventStreamEvents(body, target.provider.id) : parseSse(body);
  // Built on first use (an error, a passed-through event): most streams end without needing it.
  let matcher: SecretMatcher | undefined;
  const secrets = () => {
    matcher ??= new SecretMatcher(target.apiKey ? [target.apiKey] : []);
    return matcher;
  };
  if (api === "openai-chat") return redactingErrors(openAIChunks(events, target), secrets);
  const carrier = (): OpenAIChatChunk => ({
    id: "",
    object: "chat.completion.chunk",
    created,
    model: target.requestedModel,
    choices: [],
  });
  const { requestedModel: model } = target;
  const provider = target.provider.id;
  let translator: Translator;
  if (api === "openai-responses") translator = new ResponsesStreamTranslator(model, provider, created);
  else if (api === "google-gemini") translator = new GeminiStreamTranslator(model, provider, created);
  else if (api === "bedrock-converse") translator = new ConverseStreamTranslator(model, provider, created);
  else if (api === "cohere-chat") translator = new CohereStreamTranslator(model, provider, created);
  else if (api === "replicate-predictions")
    translator = new PredictionStreamTranslator(
      { id: `chatcmpl-replicate-${created}`, created, model },
      provider,
    );
  else {
    const anthropic = new AnthropicStreamTranslator(model, provider, created);
    // Usage is always requested from the translator; the gateway strips it when the caller did not ask.
    translator = {
      translate: (event) => anthropic.translate(event, true),
      get ended() {
        return anthropic.ended;
      },
    };
  }
  return redactingErrors(translated(events, translator, target, passThrough, carrier, secrets), secrets);
}
