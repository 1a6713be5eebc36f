import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { ProviderError } from "../../errors/errors.js";
import type { SseEvent } from "../sse.js";
import { converseException } from "./converse-response.js";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const decoder = new TextDecoder();

/**
 * The AWS event stream (Bedrock's ConverseStream) as events, each yielded as soon as its frame is whole: the
 * framing and CRCs checked by AWS's own codec (`@smithy/eventstream-codec`), the `:event-type` as the event's name
 * and its JSON payload as data — so the same translators as for SSE read it. An exception frame is thrown as the
 * provider's error; a frame larger than `maxFrameBytes` or a broken one is a 502.
 */
export async function* eventStreamEvents(
  body: AsyncIterable<Uint8Array>,
  provider: string,
  maxFrameBytes = 16 * 1024 * 1024,
): AsyncGenerator<SseEvent> {
  let buffer = new Uint8Array(0);
  const bad = (what: string) =>
    new ProviderError(provider, 502, `Provider "${provider}" sent ${what}`, {
      code: "bad_upstream_response",
    });
  for await (const piece of body) {
    const joined = new Uint8Array(buffer.length + piece.length);
    joined.set(buffer);
    joined.set(piece, buffer.length);
    buffer = joined;
    while (buffer.length >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0);
      if (length < 16 || length > maxFrameBytes) throw bad("an event-stream frame of an impossible length");
      if (buffer.length < length) break;
      let message: ReturnType<typeof codec.decode>;
      try {
        message = codec.decode(buffer.subarray(0, length));
      } catch {
        throw bad("a broken event-stream frame");
      }
      buffer = buffer.slice(length);
      const header = (name: string) => {
        const value = message.headers[name]?.value;
        return typeof value === "string" ? value : undefined;
      };
      const data = decoder.decode(message.body);
      if (header(":message-type") === "exception")
        throw converseException(header(":exception-type") ?? "exception", data, provider);
      if (header(":message-type") === "error")
        throw converseException(header(":error-code") ?? "error", header(":error-message") ?? data, provider);
      yield { event: header(":event-type"), data };
    }
  }
  if (buffer.length > 0) throw bad("an event stream cut inside a frame");
}
