import type { SseEventOut } from "../../wire/anthropic/chat-to-messages.js";
import { sseData } from "../../wire/sse.js";
import { errorBodyFor } from "./error-renderer.js";

export const sseHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache" } as const;

const frame = (event: SseEventOut) =>
  `${event.event ? `event: ${event.event}\n` : ""}${sseData(typeof event.data === "string" ? event.data : JSON.stringify(event.data))}`;

/** The stream conventions of each client API the gateway speaks. */
export type SseDialect = "chat" | "responses" | "anthropic" | "gemini";

function errorEvent(error: unknown, dialect: SseDialect): SseEventOut {
  if (dialect === "chat") return { data: errorBodyFor(error, "openai") };
  if (dialect === "gemini") return { data: errorBodyFor(error, "google") };
  if (dialect === "anthropic") return { event: "error", data: errorBodyFor(error, "anthropic") };
  const { error: body } = errorBodyFor(error, "openai") as {
    error: { message: string; code: string; param: string | null };
  };
  return {
    event: "error",
    data: { type: "error", code: body.code, message: body.message, param: body.param },
  };
}

/**
 * The gateway's one SSE framing, for every client API: each event as `event:`/`data:` lines; chat completions
 * end with `data: [DONE]` (the Responses, Anthropic and Gemini streams end with their own last event) — or, since the
 * headers are gone by then, with the error as a last event in the caller's API, as the providers themselves do.
 */
export async function* sseFrames(
  events: AsyncIterable<SseEventOut>,
  dialect: SseDialect,
): AsyncGenerator<string> {
  try {
    for await (const event of events) yield frame(event);
  } catch (error) {
    yield frame(errorEvent(error, dialect));
    return;
  }
  if (dialect === "chat") yield "data: [DONE]\n\n";
}

/** A chat stream's chunks as SSE events (OpenAI's chat stream: one `data:` event per chunk). */
export async function* chunkEvents(chunks: AsyncIterable<unknown>): AsyncGenerator<SseEventOut> {
  for await (const chunk of chunks) yield { data: chunk };
}
