import { InvalidRequestError } from "../../errors/errors.js";
import {
  chatStreamToMessages,
  chatToMessage,
  type SseEventOut,
} from "../../wire/anthropic/chat-to-messages.js";
import { messagesToChat } from "../../wire/anthropic/messages-to-chat.js";
import { chatStreamToGemini, chatToGemini } from "../../wire/gemini/chat-to-gemini.js";
import { geminiToChat } from "../../wire/gemini/gemini-to-chat.js";
import { type NativeFormat, nativeAnswerOr, nativeOr } from "../../wire/native-passthrough.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../../wire/openai-types.js";
import { chatStreamToResponses, chatToResponse } from "../../wire/responses/chat-to-responses.js";
import { responsesToChat } from "../../wire/responses/responses-to-chat.js";
import type { Gateway } from "../gateway-types.js";
import type { CallerLimits } from "../governance/governance.js";
import { cacheStatus } from "../governance/response-cache.js";
import { logSourceOf } from "../request/keyway-params.js";
import type { GatewayMatch, GatewayRoute } from "./gateway-routes.js";
import { chunkEvents, type SseDialect, sseFrames } from "./sse-writer.js";

/** What both HTTP adapters write: JSON, or SSE frames as they come. */
export type GatewayAnswer =
  | { kind: "json"; status: number; body: string; headers?: Record<string, string> }
  | { kind: "sse"; frames: AsyncGenerator<string>; headers?: Record<string, string> };

/** `x-keyway-cache: hit|miss` for an answer the response cache was asked about. */
function cacheHeaders(result: object): Record<string, string> | undefined {
  const status =
    (result as { cache?: string }).cache ?? (result as Record<symbol, string | undefined>)[cacheStatus];
  return status ? { "x-keyway-cache": status } : undefined;
}

export type HeaderGetter = (name: string) => string | null | undefined;

/**
 * The key a caller presented: `Authorization: Bearer …` (the scheme in any case, as HTTP allows), `x-api-key` as
 * Anthropic's SDK sends it, `x-goog-api-key` as Google's do, or (on Gemini's routes, whose callers pass `query`)
 * `?key=`. One reading for the gateway's per-key limits and `keyway serve`'s auth, so both count the same key.
 */
export function callerKeyOf(header: HeaderGetter, query?: URLSearchParams): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(header("authorization") ?? "")?.[1]?.trim();
  return (
    bearer ||
    header("x-api-key")?.trim() ||
    header("x-goog-api-key")?.trim() ||
    query?.get("key")?.trim() ||
    undefined
  );
}

const withCallerKey = (apiKey: string | undefined) => (apiKey ? { apiKey } : {});

/** The call's options from the request's headers: the one header mapping of every face. */
export function optionsFromHeaders(header: HeaderGetter, logSource?: string, query?: URLSearchParams) {
  return {
    provider: header("x-respan-route-provider") ?? undefined,
    paramsHeader: header("x-data-respan-params") ?? null,
    ...withCallerKey(callerKeyOf(header, query)),
    ...(logSource ? { logSource } : logSourceOf(header("x-keyway-log-source"))),
  };
}

/** `GET …/models`: the model ids custom providers declared, in OpenAI's list shape. */
export function modelList(gateway: Pick<Gateway, "providers">): {
  object: "list";
  data: { id: string; object: "model"; created: number; owned_by: string }[];
} {
  const data = gateway.providers.all().flatMap((provider) =>
    (provider.models ?? []).map((id) => ({
      id,
      object: "model" as const,
      created: 0,
      owned_by: provider.id,
    })),
  );
  return { object: "list", data };
}

/** A client API answered by translation through the canonical chat request (and passed through when it can be). */
interface ChatFace {
  decode(body: unknown, match: GatewayMatch): OpenAIChatRequest;
  format: NativeFormat;
  logType?: "response";
  json(completion: OpenAIChatCompletion, model: string): unknown;
  stream(chunks: AsyncIterable<OpenAIChatChunk>, model: string): AsyncIterable<SseEventOut>;
  dialect: SseDialect;
}

const chatFaces: Partial<Record<GatewayRoute, ChatFace>> = {
  // OpenAI's Responses API.
  responses: {
    decode: responsesToChat,
    format: "openai-responses",
    logType: "response",
    json: chatToResponse,
    stream: chatStreamToResponses,
    dialect: "responses",
  },
  // Anthropic's Messages API.
  messages: {
    decode: messagesToChat,
    format: "anthropic-messages",
    json: chatToMessage,
    stream: chatStreamToMessages,
    dialect: "anthropic",
  },
  // Google's Gemini API: the model and streaming come from the path.
  gemini: {
    decode: (body, match) => geminiToChat(body, match.model ?? "", match.stream === true),
    format: "google-gemini",
    json: chatToGemini,
    stream: chatStreamToGemini,
    dialect: "gemini",
  },
};

/**
 * One gateway request, whichever HTTP face it came through: the body parsed once, the call made, the answer
 * shaped for writing. Throws for errors before the first byte (the adapter renders them).
 */
export async function answerGatewayRequest(
  gateway: Gateway,
  request: {
    match: GatewayMatch;
    body: () => Promise<unknown>;
    header: HeaderGetter;
    query?: URLSearchParams;
    signal: AbortSignal;
    logSource?: string | undefined;
    callerLimits?: CallerLimits | undefined;
  },
): Promise<GatewayAnswer> {
  const { route } = request.match;
  if (route === "models") return { kind: "json", status: 200, body: JSON.stringify(modelList(gateway)) };
  const options = {
    signal: request.signal,
    face: route,
    ...(request.callerLimits ? { callerLimits: request.callerLimits } : {}),
    ...optionsFromHeaders(request.header, request.logSource, route === "gemini" ? request.query : undefined),
  };
  if (route === "embeddings") {
    const answer = await gateway.embeddings(
      (await request.body()) as Parameters<Gateway["embeddings"]>[0],
      options,
    );
    return { kind: "json", status: 200, body: JSON.stringify(answer) };
  }
  if (route === "gemini" && request.match.stream && request.query?.get("alt") !== "sse")
    throw new InvalidRequestError("streamGenerateContent is served as server-sent events: add ?alt=sse.", {
      field: "alt",
    });
  const face = chatFaces[route];
  if (face) {
    const body = (await request.body()) as Record<string, unknown>;
    const chatRequest = face.decode(body, request.match);
    const result = await gateway.chat(chatRequest as Parameters<Gateway["chat"]>[0], {
      ...options,
      ...(face.logType ? { logType: face.logType } : {}),
      native: { format: face.format, body },
    });
    const headers = cacheHeaders(result);
    if (Symbol.asyncIterator in result)
      return {
        kind: "sse",
        frames: sseFrames(
          nativeOr(result, (chunks) => face.stream(chunks, chatRequest.model)),
          face.dialect,
        ),
        ...(headers ? { headers } : {}),
      };
    const answer = nativeAnswerOr(result, (completion) => face.json(completion, chatRequest.model));
    return { kind: "json", status: 200, body: JSON.stringify(answer), ...(headers ? { headers } : {}) };
  }
  const result = await gateway.chat((await request.body()) as Parameters<Gateway["chat"]>[0], options);
  const headers = cacheHeaders(result);
  if (Symbol.asyncIterator in result)
    return { kind: "sse", frames: sseFrames(chunkEvents(result), "chat"), ...(headers ? { headers } : {}) };
  return { kind: "json", status: 200, body: JSON.stringify(result), ...(headers ? { headers } : {}) };
}
