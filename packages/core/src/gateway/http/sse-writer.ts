import type { SseEventOut } from "../../wire/chat-to-messages.js";
import { sseData } from "../../wire/sse.js";
import { type ErrorFace, errorBodyFor } from "./error-renderer.js";

export const sseHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache" } as const;

const frame = (event: SseEventOut) =>
  `${event.event ? `event: ${event.event}\n` : ""}${sseData(typeof event.data === "string" ? event.data : JSON.stringify(event.data))}`;

/**
 * The gateway's one SSE framing, for every client API: each event as `event:`/`data:` lines, then the API's end
 * marker (OpenAI's `data: [DONE]`; Anthropic's stream ends with its own `message_stop` event) — or, since the
 * headers are gone by then, the error as a last event in the caller's API, as the providers themselves do.
 */
export async function* sseFrames(
  events: AsyncIterable<SseEventOut>,
  face: ErrorFace,
): AsyncGenerator<string> {
  try {
    for await (const event of events) yield frame(event);
  } catch (error) {
    yield frame(
      face === "anthropic"
        ? { event: "error", data: errorBodyFor(error, face) }
        : { data: errorBodyFor(error, face) },
    );
    return;
  }
  if (face === "openai") yield "data: [DONE]\n\n";
}

/** A chat stream's chunks as SSE events (OpenAI's chat stream: one `data:` event per chunk). */
export async function* chunkEvents(chunks: AsyncIterable<unknown>): AsyncGenerator<SseEventOut> {
  for await (const chunk of chunks) yield { data: chunk };
}
