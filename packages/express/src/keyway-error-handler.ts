import { errorResponseBody, errorStatus, KeywayError } from "@keyway/core";
import type { ErrorRequestHandler } from "express";

/** Renders `KeywayError`s as OpenAI-shaped JSON with their status; passes every other error on. */
export function keywayErrorHandler(): ErrorRequestHandler {
  return function keywayErrors(error, _req, res, next) {
    if (!KeywayError.isInstance(error) || res.headersSent) return next(error);
    res.status(errorStatus(error)).json(errorResponseBody(error));
  };
}
