import { InvalidRequestError } from "../../errors/errors.js";
import { toAnthropicRequest } from "../../wire/anthropic/anthropic-request.js";
import { fromAnthropicMessage } from "../../wire/anthropic/anthropic-response.js";
import { anthropicOnlyFields } from "../../wire/anthropic/messages-to-chat.js";
import { toConverseRequest } from "../../wire/bedrock/chat-to-converse.js";
import { fromConverse } from "../../wire/bedrock/converse-response.js";
import { toCohereRequest } from "../../wire/cohere/chat-to-cohere.js";
import { fromCohere } from "../../wire/cohere/cohere-response.js";
import { toGeminiRequest } from "../../wire/gemini/gemini-request.js";
import { fromGeminiResponse } from "../../wire/gemini/gemini-response.js";
import { geminiOnlySetting } from "../../wire/gemini/gemini-to-chat.js";
import { allObjects, asksForSomething } from "../../wire/json-items.js";
import { attachNative, type NativeRequest, nativeAnswer } from "../../wire/native-passthrough.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../../wire/openai-types.js";
import { responsesOnlyFields } from "../../wire/responses/responses-to-chat.js";
import { responseToCompletion } from "../../wire/responses/responses-upstream.js";
import { keywayParamSet } from "../request/keyway-params.js";
import { encodePathSegments } from "../request/model-id.js";
import { guardedBody, readGuardedJson } from "./guarded-body.js";
import { callReplicate } from "./replicate-call.js";
import {
  badResponse,
  postUpstream,
  type UpstreamDeps,
  type UpstreamResult,
  type UpstreamTarget,
} from "./upstream-request.js";
import { type UpstreamStreamAPI, upstreamChunks } from "./upstream-stream.js";

export type { UpstreamResult } from "./upstream-request.js";

/** Where each API is served under a provider's base URL (Gemini names the model and the streaming in the path). */
function pathOf(api: UpstreamStreamAPI, model: string, stream: boolean): string {
  if (api === "google-gemini")
    return `/models/${encodePathSegments(model.replace(/^models\//, ""))}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
  if (api === "anthropic-messages") return "/messages";
  if (api === "cohere-chat") return "/chat";
  if (api === "bedrock-converse")
    return `/model/${encodeURIComponent(model)}/${stream ? "converse-stream" : "converse"}`;
  return api === "openai-responses" ? "/responses" : "/chat/completions";
}
const present = (fields: readonly string[]) => (body: Record<string, unknown>) =>
  fields.find((field) => asksForSomething(field, body[field]));
/** The first setting of a client API with no chat completions equivalent: sent only when passed through. */
const ownOnly: Record<string, (body: Record<string, unknown>) => string | undefined> = {
  "anthropic-messages": present(anthropicOnlyFields),
  "openai-responses": present(responsesOnlyFields),
  "google-gemini": geminiOnlySetting,
};
/** Names Keyway reads in its own requests that a provider's API defines for itself (Anthropic's `metadata`). */
const ownedByProvider: Record<string, ReadonlySet<string>> = { "anthropic-messages": new Set(["metadata"]) };

/** Claude on Vertex AI: the model is in the path, and the body carries Vertex's API version instead. */
function forVertex(target: UpstreamTarget, body: Record<string, unknown>): Record<string, unknown> {
  if (target.provider.endpoint !== "vertex" || target.provider.format !== "anthropic-messages") return body;
  const { model: _model, ...rest } = body;
  return { ...rest, anthropic_version: "vertex-2023-10-16" };
}

function upstreamBody(target: UpstreamTarget, request: OpenAIChatRequest): string {
  if (target.provider.format === "anthropic-messages")
    return JSON.stringify(
      forVertex(
        target,
        toAnthropicRequest(request, target.upstreamModel, keywayParamSet) as unknown as Record<
          string,
          unknown
        >,
      ),
    );
  if (target.provider.format === "google-gemini")
    return JSON.stringify(toGeminiRequest(request, keywayParamSet));
  if (target.provider.format === "bedrock-converse")
    return JSON.stringify(toConverseRequest(request, keywayParamSet));
  if (target.provider.format === "cohere-chat")
    return JSON.stringify(toCohereRequest(request, target.upstreamModel, keywayParamSet));
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) if (!keywayParamSet.has(key)) body[key] = value;
  body.model = target.upstreamModel;
  // Usage is needed for the log even when the caller did not ask; the usage-only chunk is stripped again.
  if (request.stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  return JSON.stringify(body);
}

/** The caller's own request for a provider of its API: Keyway's parameters out, the provider's model id in. */
function nativeBody(native: NativeRequest, target: UpstreamTarget): string {
  const own = ownedByProvider[native.format];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(native.body))
    if (!keywayParamSet.has(key) || own?.has(key)) out[key] = value;
  // Gemini names the model in the path, and refuses a body field it does not know.
  if (native.format !== "google-gemini") out.model = target.upstreamModel;
  return JSON.stringify(forVertex(target, out));
}

/**
 * One chat call to a provider, answering in the canonical (OpenAI chat) form: a completion, or a stream of chunks
 * yielded as they arrive. When the caller speaks the provider's own API (`native`: Anthropic's Messages for
 * Anthropic, OpenAI's Responses for OpenAI) the caller's request goes as it came and the provider's own answer
 * rides back on the canonical one; a setting of that API with no chat equivalent, headed for any other provider,
 * is a 400. Errors as `postUpstream` types them.
 */
export async function callUpstream(
  target: UpstreamTarget,
  request: OpenAIChatRequest,
  signal: AbortSignal | undefined,
  deps: UpstreamDeps,
  native?: NativeRequest,
): Promise<UpstreamResult> {
  const { provider } = target;
  const passThrough =
    native !== undefined &&
    (native.format === provider.format || (provider.speaks ?? []).includes(native.format));
  if (native && !passThrough) {
    const unsupported = ownOnly[native.format]?.(native.body);
    if (unsupported)
      throw new InvalidRequestError(
        `${unsupported} is a setting of ${native.format} that provider "${provider.id}" cannot act on; leave it out or use a model of a provider that speaks that API.`,
        { field: unsupported },
      );
  }
  if (provider.format === "replicate-predictions") return callReplicate(target, request, signal, deps);
  const api: UpstreamStreamAPI = passThrough && native ? native.format : provider.format;
  const body = passThrough && native ? nativeBody(native, target) : upstreamBody(target, request);
  const path = pathOf(api, target.upstreamModel, request.stream === true);
  const response = await postUpstream(target, path, body, {
    stream: request.stream === true,
    signal,
    deps,
  });
  const created = Math.floor(Date.now() / 1000);
  if (!request.stream) {
    const answer = await readGuardedJson(response, provider.id, deps.bodyLimits, signal);
    let completion: OpenAIChatCompletion;
    if (api === "anthropic-messages") {
      if (!Array.isArray(answer.content) || !allObjects(answer.content))
        throw badResponse(provider.id, "a message without content blocks");
      completion = fromAnthropicMessage(answer, target.requestedModel, created);
    } else if (api === "google-gemini") {
      if ((!Array.isArray(answer.candidates) || !allObjects(answer.candidates)) && !answer.promptFeedback)
        throw badResponse(provider.id, "an answer without candidates");
      completion = fromGeminiResponse(answer, target.requestedModel, created);
    } else if (api === "bedrock-converse") {
      const content = (
        (answer.output as Record<string, unknown> | undefined)?.message as { content?: unknown }
      )?.content;
      if (!Array.isArray(content) || !allObjects(content))
        throw badResponse(provider.id, "a Converse answer without a message");
      completion = fromConverse(answer, target.requestedModel, created);
    } else if (api === "cohere-chat") {
      if (typeof answer.message !== "object" || answer.message === null)
        throw badResponse(provider.id, "a chat answer without a message");
      completion = fromCohere(answer, target.requestedModel, created);
    } else if (api === "openai-responses") {
      if (!Array.isArray(answer.output) || !allObjects(answer.output))
        throw badResponse(provider.id, "a response without output items");
      completion = responseToCompletion(answer, target.requestedModel);
    } else {
      if (!Array.isArray(answer.choices) || !allObjects(answer.choices))
        throw badResponse(provider.id, "a completion without choices");
      completion = answer as unknown as OpenAIChatCompletion;
    }
    return {
      kind: "json",
      completion: passThrough ? attachNative(completion, nativeAnswer, answer) : completion,
    };
  }
  // An answer that is not a stream (JSON to a stream request) would otherwise read as a stream with no events.
  if (/^application\/(?:problem\+)?json/i.test(response.header("content-type") ?? "")) {
    response.cancel();
    throw badResponse(provider.id, "a JSON body to a stream request");
  }
  const reader = guardedBody(response, provider.id, deps.bodyLimits, signal);
  return {
    kind: "stream",
    chunks: upstreamChunks(reader, api, target, passThrough, created),
    cancel: () => response.cancel(),
  };
}
