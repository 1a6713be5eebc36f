import { sseData } from "../../wire/sse.js";
import { errorResponseBody } from "./error-renderer.js";

export const sseHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache" } as const;

/**
 * The gateway's one SSE framing of a stream: a `data:` event per chunk, `data: [DONE]` at the end — or, since
 * the headers are gone by then, the error as a last event, as OpenAI-compatible servers do.
 */
export async function* sseFrames(stream: AsyncIterable<unknown>): AsyncGenerator<string> {
  try {
    for await (const chunk of stream) yield sseData(JSON.stringify(chunk));
  } catch (error) {
    yield sseData(JSON.stringify(errorResponseBody(error)));
    return;
  }
  yield "data: [DONE]\n\n";
}
