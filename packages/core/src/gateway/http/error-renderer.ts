import { KeywayError } from "../../errors/keyway-error.js";

export interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

/** Which client API an error is answered in: OpenAI's (chat, embeddings, models) or Anthropic's (messages). */
export type ErrorFace = "openai" | "anthropic";

/** The OpenAI-shaped error body for any error; errors that are not Keyway's say nothing of their internals. */
export function errorResponseBody(error: unknown): ErrorBody {
  if (KeywayError.isInstance(error)) return error.toJSON();
  return {
    error: {
      message: "Internal error in the Keyway gateway.",
      type: "KeywayError",
      code: "internal_error",
      param: null,
    },
  };
}

/** The HTTP status an error is answered with. */
export function errorStatus(error: unknown): number {
  if (!KeywayError.isInstance(error)) return 500;
  // 499 (client closed) is not a status a response can carry.
  return error.statusCode === 499 ? 400 : error.statusCode;
}

const anthropicTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

/** The error body in the caller's API: OpenAI's `{error:{message,type,code,param}}` or Anthropic's. */
export function errorBodyFor(error: unknown, face: ErrorFace): unknown {
  const body = errorResponseBody(error);
  if (face === "openai") return body;
  const status = errorStatus(error);
  const type = anthropicTypes[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return { type: "error", error: { type, message: body.error.message, code: body.error.code } };
}

/**
 * The gateway's one error rendering: status, headers (JSON, and the error's own such as `retry-after`) and JSON
 * text, for every face (Fetch, node:http, Express, Koa).
 */
export function renderError(
  error: unknown,
  face: ErrorFace = "openai",
): { status: number; body: string; headers: Record<string, string> } {
  const body = JSON.stringify(errorBodyFor(error, face));
  const own = KeywayError.isInstance(error) ? error.headers : undefined;
  return { status: errorStatus(error), body, headers: { ...own, "content-type": "application/json" } };
}
