import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestAbortedError } from "../../errors/errors.js";
import { gatewayDefaults } from "../gateway-config.js";
import type { Gateway } from "../gateway-types.js";
import type { CallerLimits } from "../governance/governance.js";
import { readJsonBody } from "../request/read-json-body.js";
import { answerGatewayRequest } from "./answer-request.js";
import { renderError } from "./error-renderer.js";
import { faceOf, type GatewayMatch, matchGatewayRoute } from "./gateway-routes.js";
import { sseHeaders } from "./sse-writer.js";

export interface ServeGatewayOptions {
  gateway: Gateway;
  req: IncomingMessage;
  res: ServerResponse;
  /** The path to route on (default: the request's); a mounted door passes what follows its mount point. */
  path?: string;
  /** The body when a parser already read it (`express.json()`, a Koa body parser); else the stream is read. */
  parsedBody?: unknown;
  logSource?: string;
  maxBodyBytes?: number;
  /**
   * Errors before the first byte: `render` (default) answers them OpenAI-shaped with their status and tells
   * `onError`; `throw` hands them to the framework (Express's `next(err)`), whose handler renders them with the
   * same `renderError`. After the first byte an error travels as the stream's last event.
   */
  errors?: "render" | "throw";
  onError?: (error: unknown) => void;
  /** Limits of the caller's key, when the host knows them (`keyway serve`'s managed API keys). */
  callerLimits?: CallerLimits;
}

const header = (req: IncomingMessage) => (name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done).on("close", done);
  });
}

/**
 * The gateway's `node:http` face, for `keyway serve`, Express and Koa: answers a gateway route — JSON, or SSE
 * written with backpressure (waits for `drain`) — and resolves false for any other path so the caller can pass
 * the request on. A client that goes away aborts the upstream call (the log records the cancellation).
 */
export async function serveGateway(options: ServeGatewayOptions): Promise<boolean> {
  const { gateway, req, res } = options;
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new RequestAbortedError());
  };
  res.on("close", onClose);
  let match: GatewayMatch | undefined;
  try {
    const url = new URL(req.url ?? "/", "http://gateway.local");
    const path = options.path ?? url.pathname;
    match = matchGatewayRoute(req.method ?? "GET", path);
    if (!match) return false;
    const { parsedBody } = options;
    const answer = await answerGatewayRequest(gateway, {
      match,
      query: url.searchParams,
      body: () =>
        typeof parsedBody === "object" && parsedBody !== null
          ? Promise.resolve(parsedBody)
          : readJsonBody(req, options.maxBodyBytes ?? gatewayDefaults.maxBodyBytes),
      header: header(req),
      signal: controller.signal,
      logSource: options.logSource,
      callerLimits: options.callerLimits,
    });
    if (answer.kind === "json") {
      res.writeHead(answer.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(answer.body),
        ...answer.headers,
      });
      res.end(answer.body);
      return true;
    }
    res.writeHead(200, { ...sseHeaders, connection: "keep-alive", ...answer.headers });
    res.flushHeaders();
    for await (const frame of answer.frames) {
      if (res.destroyed) break;
      if (!res.write(frame)) await drained(res);
    }
    if (!res.destroyed) res.end();
    return true;
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return true;
    }
    if (options.errors === "throw") throw error;
    options.onError?.(error);
    const { status, body, headers } = renderError(error, faceOf(match?.route));
    res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
    res.end(body);
    return true;
  } finally {
    res.off("close", onClose);
  }
}
