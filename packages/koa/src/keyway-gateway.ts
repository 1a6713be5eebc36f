import { createGateway, type Gateway, serveGateway } from "@keyway/core";
import type { Context, Middleware, Next } from "koa";

export interface KeywayGatewayOptions {
  gateway?: Gateway;
  /** Path prefix the gateway answers under, e.g. `/llm` → `POST /llm/chat/completions`. Default: none. */
  prefix?: string;
  maxBodyBytes?: number;
}

/**
 * Koa middleware serving the OpenAI-compatible gateway — `POST {prefix}/chat/completions`,
 * `GET {prefix}/models` — and passing every other request on. Streams are written to the raw response chunk by
 * chunk with backpressure; a client that disconnects aborts the upstream call. Errors are answered as
 * OpenAI-shaped JSON with their status and emitted on the app (`ctx.app.emit("error", err, ctx)`) as
 * `KeywayError`s, like Koa's own error handling does.
 *
 * @example
 * app.use(requireUser).use(keywayGateway({ gateway, prefix: "/llm" }));
 */
export function keywayGateway(options: KeywayGatewayOptions = {}): Middleware {
  const gateway = options.gateway ?? createGateway();
  const prefix = (options.prefix ?? "").replace(/\/+$/, "");
  return async function keywayGatewayRoute(ctx: Context, next: Next): Promise<void> {
    if (prefix && ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const handled = await serveGateway({
      gateway,
      req: ctx.req,
      res: ctx.res,
      path: ctx.path.slice(prefix.length),
      parsedBody: (ctx.request as { body?: unknown }).body,
      logSource: "koa",
      onError: (error) => ctx.app.emit("error", error, ctx),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
    if (!handled) return next();
    ctx.respond = false; // written to ctx.res directly
  };
}
