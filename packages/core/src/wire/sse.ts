import { KeywayError } from "../errors/keyway-error.js";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

export interface ParseSseOptions {
  /** Largest event accepted, in characters (default 16 Mi); a larger one ends the stream with `sse_event_too_large`. */
  maxEventChars?: number;
}

export const DEFAULT_MAX_SSE_EVENT_CHARS = 16 * 1024 * 1024;

const lineBreak = /\r\n|\r|\n/g;

/** The fields of the event being read, and what turns a blank line into an event. */
class EventBuilder {
  name: string | undefined;
  data: string[] = [];
  chars = 0;

  /** Takes one line (without its line break); a blank line completes the event. */
  line(line: string): SseEvent | undefined {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.name = value;
    else if (field === "data") {
      this.data.push(value);
      this.chars += value.length + 1;
    }
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const event =
      this.data.length === 0 && this.name === undefined
        ? undefined
        : { event: this.name, data: this.data.join("\n") };
    this.name = undefined;
    this.data = [];
    this.chars = 0;
    return event;
  }

  /** What is left when the stream ends without a blank line. */
  end(): SseEvent | undefined {
    return this.#dispatch();
  }
}

/**
 * Server-sent events from a byte stream, each yielded as soon as its blank line arrives. Linear in the input:
 * a line is assembled from its pieces once, when its line break arrives, so an event split across thousands of
 * network reads costs no more than one that is not; and bounded: an event over `maxEventChars` is an error.
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array>,
  options: ParseSseOptions = {},
): AsyncGenerator<SseEvent> {
  const maxEventChars = options.maxEventChars ?? DEFAULT_MAX_SSE_EVENT_CHARS;
  const decoder = new TextDecoder();
  const builder = new EventBuilder();
  let pieces: string[] = []; // the current line, not yet ended
  let pieceChars = 0;
  let afterCR = false; // a chunk ended in "\r": a "\n" opening the next one belongs to it
  const events: SseEvent[] = [];

  const take = (text: string): void => {
    let start = afterCR && text.startsWith("\n") ? 1 : 0;
    afterCR = false;
    lineBreak.lastIndex = start;
    for (let match = lineBreak.exec(text); match !== null; match = lineBreak.exec(text)) {
      const piece = text.slice(start, match.index);
      const line = pieces.length > 0 ? pieces.join("") + piece : piece;
      pieces = [];
      pieceChars = 0;
      start = match.index + match[0].length;
      if (match[0] === "\r" && start === text.length) afterCR = true;
      const event = builder.line(line);
      if (event) events.push(event);
    }
    if (start < text.length) {
      pieces.push(start === 0 ? text : text.slice(start));
      pieceChars += text.length - start;
    }
    if (pieceChars + builder.chars > maxEventChars) {
      throw new KeywayError(
        "sse_event_too_large",
        `A server-sent event exceeded ${maxEventChars} characters; the stream was stopped.`,
        { statusCode: 502 },
      );
    }
  };

  for await (const bytes of body) {
    take(decoder.decode(bytes, { stream: true }));
    if (events.length > 0) yield* events.splice(0);
  }
  take(decoder.decode());
  if (pieces.length > 0) {
    const event = builder.line(pieces.join(""));
    if (event) events.push(event);
  }
  const last = builder.end();
  if (last) events.push(last);
  yield* events;
}

/** One SSE `data:` event. */
export const sseData = (data: string): string => `data: ${data}\n\n`;
