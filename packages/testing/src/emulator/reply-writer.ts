import type { ServerResponse } from "node:http";
import type { EmulatedRequest, FaultSpec, WireFormat } from "./types.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes one reply, applying the fault's delays, resets and malformed bodies, and keeps the record current. */
export class ReplyWriter {
  constructor(
    private readonly res: ServerResponse,
    private readonly record: EmulatedRequest,
    private readonly fault: FaultSpec | undefined,
    private readonly chunkDelayMs: number,
  ) {
    res.on("close", () => {
      if (!res.writableFinished) record.clientClosed = true;
    });
  }

  get gone(): boolean {
    return this.res.destroyed || this.record.clientClosed;
  }

  /** Keeps the connection open and silent until the client goes away. */
  async #stall(): Promise<void> {
    this.res.flushHeaders();
    await new Promise<void>((resolve) => this.res.once("close", () => resolve()));
  }

  /** Writes about `bytes` of padding, 1 MiB at a time, unless the client leaves first. */
  async #pad(prefix: string, bytes: number, suffix: string): Promise<void> {
    const block = "x".repeat(1024 * 1024);
    await new Promise<void>((resolve) => this.res.write(prefix, () => resolve()));
    for (let sent = 0; sent < bytes && !this.gone; sent += block.length)
      await new Promise<void>((resolve) => this.res.write(block, () => resolve()));
    if (!this.gone) this.res.end(suffix);
  }

  async json(status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    if (status === 200 && this.fault?.stallAfterChunks !== undefined) {
      this.record.status = status;
      this.res.writeHead(status, { "content-type": "application/json", ...headers });
      return this.#stall();
    }
    if (status === 200 && this.fault?.oversizeBytes !== undefined) {
      this.record.status = status;
      this.res.writeHead(status, { "content-type": "application/json", ...headers });
      return this.#pad('{"padding":"', this.fault.oversizeBytes, '"}');
    }
    const text =
      this.fault?.malformed && status === 200 ? '{"id": "broken", "choices": [' : JSON.stringify(body);
    this.record.status = status;
    this.res.writeHead(status, { "content-type": "application/json", ...headers });
    this.res.end(text);
    this.record.completed = true;
  }

  /** Streams server-sent events; each string is one full event including its trailing blank line. */
  async stream(events: string[]): Promise<void> {
    if (this.fault?.notSse === "json")
      return this.json(200, { id: "not-a-stream", object: "chat.completion" });
    if (this.fault?.notSse === "html") {
      this.record.status = 200;
      this.res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Service page</body></html>");
      this.record.completed = true;
      return;
    }
    const streamError = this.fault?.streamError;
    if (streamError)
      events = [
        ...events.slice(0, streamError.afterChunks),
        streamErrorEvent(
          this.record.format,
          this.fault?.errorMessage ?? "emulated stream error",
          streamError.event,
        ),
      ];
    if (this.fault?.endAfterChunks !== undefined) events = events.slice(0, this.fault.endAfterChunks);
    this.record.status = 200;
    this.res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    this.res.flushHeaders();
    const delay = this.fault?.chunkDelayMs ?? this.chunkDelayMs;
    if (this.fault?.oversizeBytes !== undefined) return this.#pad("data: ", this.fault.oversizeBytes, "\n\n");
    for (let i = 0; i < events.length; i++) {
      if (this.fault?.stallAfterChunks === i) return this.#stall();
      if (this.fault?.resetAfterChunks === i) {
        this.res.socket?.resetAndDestroy();
        return;
      }
      if (i > 0 && delay > 0) await sleep(delay);
      if (this.gone) return;
      const event = this.fault?.malformed && i === 1 ? "data: {not json\n\n" : events[i];
      // Waiting for each write to reach the socket keeps chunk timing honest and lets a scripted reset
      // land after exactly the chunks that were sent.
      await new Promise<void>((resolve) => this.res.write(event, () => resolve()));
    }
    this.res.end();
    this.record.completed = true;
  }
}

/** Writes AWS event-stream frames (Bedrock's ConverseStream), one network write each, as they would arrive. */
export async function writeEventStream(
  writer: ReplyWriter,
  res: ServerResponse,
  frames: Buffer[],
  delayMs: number,
): Promise<void> {
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
  res.flushHeaders();
  for (const [index, frame] of frames.entries()) {
    if (index > 0 && delayMs > 0) await sleep(delayMs);
    if (writer.gone) return;
    await new Promise<void>((resolve) => res.write(frame, () => resolve()));
  }
  res.end();
}

/** The error event each API sends mid-stream, as the real services word it. */
function streamErrorEvent(
  format: WireFormat | "models",
  message: string,
  event?: "error" | "response.failed",
): string {
  const sse = (data: unknown, name?: string) =>
    `${name ? `event: ${name}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
  if (format === "anthropic-messages")
    return sse({ type: "error", error: { type: "api_error", message } }, "error");
  if (format === "google-gemini") return sse({ error: { code: 500, message, status: "INTERNAL" } });
  if (format === "replicate-predictions") return sse({ detail: message }, "error");
  if (format === "cohere-chat")
    return sse({ type: "message-end", delta: { finish_reason: "ERROR", error: message } }, "message-end");
  if (format === "openai-responses")
    return event === "response.failed"
      ? sse(
          {
            type: "response.failed",
            response: {
              id: "resp_failed",
              object: "response",
              status: "failed",
              error: { code: "server_error", message },
            },
          },
          "response.failed",
        )
      : sse({ type: "error", code: "server_error", message, param: null }, "error");
  return sse({ error: { message, type: "server_error", code: null } });
}

export { sleep };
