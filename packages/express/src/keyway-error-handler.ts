import { KeywayError, renderError } from "@keyway/core";
import type { ErrorRequestHandler } from "express";

/** Renders `KeywayError`s as OpenAI-shaped JSON with their status; passes every other error on. */
export function keywayErrorHandler(): ErrorRequestHandler {
  return function keywayErrors(error, _req, res, next) {
    if (!KeywayError.isInstance(error) || res.headersSent) return next(error);
    const { status, body, headers } = renderError(error);
    res.status(status).set(headers).send(body);
  };
}
