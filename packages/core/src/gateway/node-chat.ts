import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidRequestError, RequestAbortedError } from "../errors/errors.js";
import type { ChatRequest, ChatStream, Gateway } from "./create-gateway.js";
import { gatewayDefaults } from "./gateway-config.js";
import { errorResponseBody } from "./http-handler.js";
import { logSourceOf } from "./keyway-params.js";

export interface ServeChatOptions {
  gateway: Gateway;
  req: IncomingMessage;
  res: ServerResponse;
  /** The body when a parser already read it (`express.json()`, a Koa body parser); else the stream is read. */
  parsedBody?: unknown;
  logSource?: string;
  maxBodyBytes?: number;
}

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  if (req.readableEnded) {
    return Promise.reject(
      new InvalidRequestError("The request body was already consumed by another middleware.", {
        code: "body_consumed",
      }),
    );
  }
  // Plain events rather than an async iterator: this is on every request's path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(
          new InvalidRequestError(`Request body is larger than ${limit} bytes.`, {
            code: "body_too_large",
            statusCode: 413,
          }),
        );
      } else chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new InvalidRequestError("The request body is not valid JSON.", { code: "invalid_json" }));
      }
    });
  });
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
      : await readBody(req, options.maxBodyBytes ?? gatewayDefaults.maxBodyBytes);
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
      await write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    if (!res.destroyed) res.end("data: [DONE]\n\n");
  } catch (error) {
    if (!res.destroyed) res.end(`data: ${JSON.stringify(errorResponseBody(error))}\n\n`);
  }
}
