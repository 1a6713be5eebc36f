import { chatStreamToMessages, chatToMessage } from "../../wire/chat-to-messages.js";
import { chatStreamToResponses, chatToResponse } from "../../wire/chat-to-responses.js";
import { messagesToChat } from "../../wire/messages-to-chat.js";
import { nativeOr } from "../../wire/native-passthrough.js";
import { responsesToChat } from "../../wire/responses-to-chat.js";
import type { Gateway } from "../gateway-types.js";
import { logSourceOf } from "../keyway-params.js";
import { cacheStatus } from "../response-cache.js";
import type { GatewayRoute } from "./gateway-routes.js";
import { chunkEvents, sseFrames } from "./sse-writer.js";

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
 * The key a caller presented: `Authorization: Bearer …` (the scheme in any case, as HTTP allows), or
 * `x-api-key` as Anthropic's SDK sends it. One reading for the gateway's per-key limits and `keyway serve`'s
 * auth, so both count the same key.
 */
export function callerKeyOf(header: HeaderGetter): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(header("authorization") ?? "")?.[1]?.trim();
  return bearer || header("x-api-key")?.trim() || undefined;
}

const withCallerKey = (apiKey: string | undefined) => (apiKey ? { apiKey } : {});

/** The call's options from the request's headers: the one header mapping of every face. */
export function optionsFromHeaders(header: HeaderGetter, logSource?: string) {
  return {
    provider: header("x-respan-route-provider") ?? undefined,
    paramsHeader: header("x-data-respan-params") ?? null,
    ...withCallerKey(callerKeyOf(header)),
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

/**
 * One gateway request, whichever HTTP face it came through: the body parsed once, the call made, the answer
 * shaped for writing. Throws for errors before the first byte (the adapter renders them).
 */
export async function answerGatewayRequest(
  gateway: Gateway,
  request: {
    route: GatewayRoute;
    body: () => Promise<unknown>;
    header: HeaderGetter;
    signal: AbortSignal;
    logSource?: string | undefined;
  },
): Promise<GatewayAnswer> {
  if (request.route === "models")
    return { kind: "json", status: 200, body: JSON.stringify(modelList(gateway)) };
  const options = { signal: request.signal, ...optionsFromHeaders(request.header, request.logSource) };
  if (request.route === "embeddings") {
    const answer = await gateway.embeddings(
      (await request.body()) as Parameters<Gateway["embeddings"]>[0],
      options,
    );
    return { kind: "json", status: 200, body: JSON.stringify(answer) };
  }
  if (request.route === "responses") {
    // OpenAI's Responses API: decoded to the canonical chat request, answered as Responses.
    const body = (await request.body()) as Record<string, unknown>;
    const chatRequest = responsesToChat(body);
    const native = { format: "openai-responses" as const, body };
    const result = await gateway.chat(chatRequest as Parameters<Gateway["chat"]>[0], {
      ...options,
      logType: "response",
      native,
    });
    if (Symbol.asyncIterator in result)
      return {
        kind: "sse",
        frames: sseFrames(
          nativeOr(result, (chunks) => chatStreamToResponses(chunks, chatRequest.model)),
          "responses",
        ),
      };
    return { kind: "json", status: 200, body: JSON.stringify(chatToResponse(result, chatRequest.model)) };
  }
  if (request.route === "messages") {
    // Anthropic's API: decoded to the canonical chat request, answered in Anthropic's shapes.
    const body = (await request.body()) as Record<string, unknown>;
    const chatRequest = messagesToChat(body);
    const native = { format: "anthropic-messages" as const, body };
    const result = await gateway.chat(chatRequest as Parameters<Gateway["chat"]>[0], { ...options, native });
    if (Symbol.asyncIterator in result)
      return {
        kind: "sse",
        frames: sseFrames(
          nativeOr(result, (chunks) => chatStreamToMessages(chunks, chatRequest.model)),
          "anthropic",
        ),
      };
    return { kind: "json", status: 200, body: JSON.stringify(chatToMessage(result, chatRequest.model)) };
  }
  const result = await gateway.chat((await request.body()) as Parameters<Gateway["chat"]>[0], options);
  const headers = cacheHeaders(result);
  if (Symbol.asyncIterator in result)
    return { kind: "sse", frames: sseFrames(chunkEvents(result), "chat"), ...(headers ? { headers } : {}) };
  return { kind: "json", status: 200, body: JSON.stringify(result), ...(headers ? { headers } : {}) };
}
