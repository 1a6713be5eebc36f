import type { ServerResponse } from "node:http";
import { type InvalidRequestError, KeywayError } from "@keyway/core";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Any error as `{ detail, code, field? }`; errors that are not Keyway's say nothing of their internals. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (KeywayError.isInstance(error)) {
    const field = (error as InvalidRequestError).field;
    sendJson(res, error.statusCode === 499 ? 400 : error.statusCode, {
      detail: error.message,
      code: error.code,
      ...(field ? { field } : {}),
    });
    return;
  }
  sendJson(res, 500, { detail: "Internal server error.", code: "internal_error" });
}
