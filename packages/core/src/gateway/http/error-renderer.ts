import { KeywayError } from "../../errors/keyway-error.js";

export interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

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

/** The gateway's one error rendering: status and JSON text, for every face (Fetch, node:http, Express, Koa). */
export function renderError(error: unknown): { status: number; body: string } {
  return { status: errorStatus(error), body: JSON.stringify(errorResponseBody(error)) };
}
