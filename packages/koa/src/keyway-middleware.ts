import {
  type BoundGateway,
  bindGateway,
  createGateway,
  currentContext,
  type Gateway,
  type RequestContextOptions,
  requestContext,
  runWithContext,
} from "@keyway/core";
import type { Context, Middleware, Next } from "koa";

declare module "koa" {
  interface DefaultState {
    /** The Keyway gateway bound to this request's context (customer, metadata, thread, BYOK keys). */
    keyway?: BoundGateway;
  }
}

export interface KeywayKoaOptions extends RequestContextOptions<Context> {
  /** The gateway behind `ctx.state.keyway`; default `createGateway()` from env, made on first use. */
  gateway?: Gateway;
}

/**
 * Opens a Keyway context for each request, so every LLM call made downstream — the core gateway, the LangChain
 * handler, the AI SDK provider, the OTel exporter — is logged with that request's customer, metadata and thread.
 * Also sets `ctx.state.keyway`, the gateway bound to that context.
 *
 * @example
 * app.use(keyway({ gateway, customer: (ctx) => ctx.state.user?.id }));
 */
export function keyway(options: KeywayKoaOptions = {}): Middleware {
  let gateway = options.gateway;
  const getGateway = () => {
    gateway ??= createGateway();
    return gateway;
  };
  return async function keywayContext(ctx: Context, next: Next): Promise<void> {
    const built = requestContext(ctx, ctx.headers, options);
    const context = built instanceof Promise ? await built : built;
    await runWithContext(context, () => {
      ctx.state.keyway = bindGateway(getGateway, currentContext() ?? context, "koa");
      return next();
    });
  };
}
