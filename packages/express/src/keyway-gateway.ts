import { createGateway, type Gateway, serveGateway } from "@keyway/core";
import { type NextFunction, type Request, type Response, Router } from "express";

export interface KeywayGatewayOptions {
  gateway?: Gateway;
  /** Largest body read when no body parser ran (default 20 MiB). */
  maxBodyBytes?: number;
}

/**
 * An Express router serving the OpenAI-compatible gateway — `POST /chat/completions`, `GET /models` — under
 * whatever path you mount it, behind whatever auth you put in front. Streams are written chunk by chunk with
 * backpressure; a client that disconnects aborts the upstream call. Errors go to `next(err)` as `KeywayError`s
 * carrying `status`; `keywayErrorHandler()` renders them in the caller's API.
 *
 * @example
 * app.use("/llm", requireUser, keywayGateway({ gateway }), keywayErrorHandler());
 */
export function keywayGateway(options: KeywayGatewayOptions = {}): Router {
  const gateway = options.gateway ?? createGateway();
  const router = Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    serveGateway({
      gateway,
      req,
      res,
      path: req.path,
      parsedBody: req.body,
      logSource: "express",
      errors: "throw",
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    }).then((handled) => {
      if (!handled) next();
    }, next);
  });
  return router;
}
