import { errorFaceOfPath, KeywayError, renderError } from "@keyway/core";
import type { ErrorRequestHandler } from "express";

/** Renders `KeywayError`s in the caller's API (OpenAI's or Anthropic's shape) with their status and headers; passes every other error on. */
export function keywayErrorHandler(): ErrorRequestHandler {
  return function keywayErrors(error, req, res, next) {
    if (!KeywayError.isInstance(error) || res.headersSent) return next(error);
    // In the caller's API: an Anthropic client behind a `/messages` mount reads Anthropic's error shape.
    const { status, body, headers } = renderError(
      error,
      errorFaceOfPath(req.originalUrl.split("?")[0] ?? ""),
    );
    res.status(status).set(headers).send(body);
  };
}
