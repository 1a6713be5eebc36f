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

/** Any error as its status and `{ detail, code, field? }`; errors that are not Keyway's say nothing of their internals. */
export function errorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  if (KeywayError.isInstance(error)) {
    const field = (error as InvalidRequestError).field;
    return {
      status: error.statusCode === 499 ? 400 : error.statusCode,
      body: { detail: error.message, code: error.code, ...(field ? { field } : {}) },
    };
  }
  return { status: 500, body: { detail: "Internal server error.", code: "internal_error" } };
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = errorBody(error);
  sendJson(res, status, body);
}
