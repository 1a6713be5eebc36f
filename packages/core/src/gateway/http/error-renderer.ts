import { KeywayError } from "../../errors/keyway-error.js";

export interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

/** Which client API an error is answered in: OpenAI's (chat, embeddings, models), Anthropic's or Google's. */
export type ErrorFace = "openai" | "anthropic" | "google";

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

const googleStatuses: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "INVALID_ARGUMENT",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/**
 * The error body in the caller's API: OpenAI's `{error:{message,type,code,param}}`, Anthropic's, or Google's
 * `{error:{code,message,status}}` (Keyway's stable code rides in an `ErrorInfo` detail, as Google's own do).
 */
export function errorBodyFor(error: unknown, face: ErrorFace): unknown {
  const body = errorResponseBody(error);
  if (face === "openai") return body;
  const status = errorStatus(error);
  if (face === "google")
    return {
      error: {
        code: status,
        message: body.error.message,
        status: googleStatuses[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: body.error.code,
            domain: "keyway",
            ...(body.error.param ? { metadata: { field: body.error.param } } : {}),
          },
        ],
      },
    };
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
