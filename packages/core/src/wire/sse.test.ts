import { describe, expect, it } from "vitest";
import { type ParseSseOptions, parseSse, type SseEvent } from "./sse.js";

async function parse(chunks: string[], options?: ParseSseOptions): Promise<SseEvent[]> {
  const encoder = new TextEncoder();
  async function* body() {
    for (const chunk of chunks) yield encoder.encode(chunk);
  }
  const events: SseEvent[] = [];
  for await (const event of parseSse(body(), options)) events.push(event);
  return events;
}

/** Every way of cutting `text` into two chunks, plus one chunk per character. */
const splits = (text: string) => [
  ...Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]),
  [...text],
];

describe("parseSse", () => {
  it("reads events the same however the bytes are cut, with LF, CRLF or CR line breaks", async () => {
    const expected = [
      { event: undefined, data: "one" },
      { event: "message_start", data: '{"a":1}\nsecond line' },
      { event: undefined, data: "[DONE]" },
    ];
    for (const newline of ["\n", "\r\n", "\r"]) {
      const text = [
        ": comment",
        "data: one",
        "",
        "event: message_start",
        'data: {"a":1}',
        "data:second line",
        "",
        "data: [DONE]",
        "",
        "",
      ].join(newline);
      for (const chunks of splits(text))
        expect(await parse(chunks), JSON.stringify(chunks)).toEqual(expected);
    }
  });

  it("yields a last event that has no blank line after it", async () => {
    expect(await parse(["data: a\n\ndata: b"])).toEqual([
      { event: undefined, data: "a" },
      { event: undefined, data: "b" },
    ]);
  });

  it("reads a large event that arrives in many pieces", async () => {
    const piece = "x".repeat(64 * 1024);
    const chunks = ["data: ", ...Array(64).fill(piece), "\n\n"];
    const [event] = await parse(chunks);
    expect(event?.data.length).toBe(64 * piece.length);
  });

  it("stops a stream whose event grows past the bound, with a typed error", async () => {
    const chunks = ["data: ", ...Array(100).fill("y".repeat(1024))];
    await expect(parse(chunks, { maxEventChars: 64 * 1024 })).rejects.toMatchObject({
      code: "sse_event_too_large",
      statusCode: 502,
    });
    // The default bound: a 32 MiB event with no line break never reaches memory whole.
    const huge = ["data: ", ...Array(512).fill("z".repeat(64 * 1024))];
    await expect(parse(huge)).rejects.toMatchObject({ code: "sse_event_too_large" });
  });
});
