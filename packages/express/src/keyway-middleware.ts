import {
  type BoundGateway,
  bindGateway,
  createGateway,
  currentContext,
  type Gateway,
  type KeywayContext,
  type RequestContextOptions,
  requestContext,
  runWithContext,
} from "@keyway/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";

declare global {
  namespace Express {
    interface Request {
      /** The Keyway gateway bound to this request's context (customer, metadata, thread, BYOK keys). */
      keyway?: BoundGateway;
    }
  }
}

export interface KeywayExpressOptions extends RequestContextOptions<Request> {
  /** The gateway behind `req.keyway`; default `createGateway()` from env, made on first use. */
  gateway?: Gateway;
}

/**
 * Opens a Keyway context for each request, so every LLM call made while handling it — the core gateway, the
 * LangChain handler, the AI SDK provider, the OTel exporter — is logged with that request's customer,
 * metadata and thread. Also sets `req.keyway`, the gateway bound to that context.
 *
 * @example
 * app.use(keyway({ gateway, customer: (req) => req.user?.id }));
 * app.post("/ask", async (req, res) => res.json(await req.keyway!.chat({ model, messages })));
 */
export function keyway(options: KeywayExpressOptions = {}): RequestHandler {
  let gateway = options.gateway;
  const getGateway = () => {
    gateway ??= createGateway();
    return gateway;
  };
  const enter = (req: Request, next: NextFunction, context: KeywayContext) =>
    runWithContext(context, () => {
      req.keyway = bindGateway(getGateway, currentContext() ?? context, "express");
      next();
    });
  return function keywayContext(req: Request, _res: Response, next: NextFunction): void {
    let context: KeywayContext | Promise<KeywayContext>;
    try {
      context = requestContext(req, req.headers, options);
    } catch (error) {
      next(error);
      return;
    }
    if (context instanceof Promise) context.then((resolved) => enter(req, next, resolved), next);
    else enter(req, next, context);
  };
}
