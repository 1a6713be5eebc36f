import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestAbortedError } from "../errors/errors.js";
import { sseData } from "../wire/sse.js";
import type { ChatRequest, ChatStream, Gateway } from "./create-gateway.js";
import { gatewayDefaults } from "./gateway-config.js";
import { errorResponseBody } from "./http-handler.js";
import { logSourceOf } from "./keyway-params.js";
import { readJsonBody } from "./read-json-body.js";

export interface ServeChatOptions {
  gateway: Gateway;
  req: IncomingMessage;
  res: ServerResponse;
  /** The body when a parser already read it (`express.json()`, a Koa body parser); else the stream is read. */
  parsedBody?: unknown;
  logSource?: string;
  maxBodyBytes?: number;
}

/**
 * Answers an OpenAI-compatible chat completion on a Node response, for the Express and Koa doors: JSON, or SSE
 * written chunk by chunk with backpressure (waits for `drain`). A client that goes away aborts the upstream call
 * (the log records the cancellation). Errors before the first byte are thrown for the framework's own error
 * handling; after it, they travel as a last SSE event.
 */
export async function serveChatCompletion(options: ServeChatOptions): Promise<void> {
  const { gateway, req, res } = options;
  const body =
    typeof options.parsedBody === "object" && options.parsedBody !== null
      ? options.parsedBody
      : await readJsonBody(req, options.maxBodyBytes ?? gatewayDefaults.maxBodyBytes);
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new RequestAbortedError());
  };
  res.on("close", onClose);
  try {
    const result = await gateway.chat(body as ChatRequest, {
      signal: controller.signal,
      provider: (req.headers["x-respan-route-provider"] as string | undefined) ?? undefined,
      paramsHeader: (req.headers["x-data-respan-params"] as string | undefined) ?? null,
      ...(options.logSource
        ? { logSource: options.logSource }
        : logSourceOf(req.headers["x-keyway-log-source"] as string | undefined)),
    });
    if (!(Symbol.asyncIterator in result)) {
      const text = JSON.stringify(result);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    await writeStream(res, result, controller.signal);
  } finally {
    res.off("close", onClose);
  }
}

async function writeStream(res: ServerResponse, stream: ChatStream, signal: AbortSignal): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
  const write = async (text: string) => {
    if (!res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done).on("close", done);
      });
    }
  };
  try {
    for await (const chunk of stream) {
      if (signal.aborted || res.destroyed) break;
      await write(sseData(JSON.stringify(chunk)));
    }
    if (!res.destroyed) res.end("data: [DONE]\n\n");
  } catch (error) {
    if (!res.destroyed) res.end(sseData(JSON.stringify(errorResponseBody(error))));
  }
}
