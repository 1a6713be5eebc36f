import type { KeywayContext } from "../context/context.js";
import { parseCustomerCredentials } from "../credentials/customer-credentials.js";
import { InvalidRequestError } from "../errors/errors.js";
import type { CustomerParams } from "../log/request-log.js";
import type { ChatMethod, ChatOptions, ChatRequest, Gateway } from "./gateway-types.js";

/** How a web framework door derives a request's Keyway context; every function gets the framework's request. */
export interface RequestContextOptions<Req> {
  /** The customer: an id, or `{ customer_identifier, name, email }`. Default: none. */
  customer?: (req: Req) => string | CustomerParams | undefined | Promise<string | CustomerParams | undefined>;
  metadata?: (req: Req) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  thread?: (req: Req) => string | undefined | Promise<string | undefined>;
  /**
   * Accept BYOK keys from the headers `x-keyway-customer-credentials` (base64 JSON, any Respan
   * `customer_credentials` shape) and `x-keyway-customer-id`. Off by default: turn on only behind your own auth.
   */
  acceptCredentialHeaders?: boolean;
}

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";

/**
 * Builds the Keyway context of one web request. Synchronous when the option functions are (the common case: no
 * microtask hops on every request); a Promise when any of them returns one. Throws `InvalidRequestError` for
 * unreadable credential headers.
 */
export function requestContext<Req>(
  req: Req,
  headers: Headers,
  options: RequestContextOptions<Req>,
): KeywayContext | Promise<KeywayContext> {
  const customer = options.customer?.(req);
  const metadata = options.metadata?.(req);
  const thread = options.thread?.(req);
  if (isThenable(customer) || isThenable(metadata) || isThenable(thread)) {
    return Promise.all([customer, metadata, thread]).then(([c, m, t]) =>
      buildContext(headers, options, c, m, t),
    );
  }
  return buildContext(headers, options, customer, metadata, thread);
}

function buildContext<Req>(
  headers: Headers,
  options: RequestContextOptions<Req>,
  customer: string | CustomerParams | undefined,
  metadata: Record<string, unknown> | undefined,
  thread: string | undefined,
): KeywayContext {
  const context: KeywayContext = {};
  if (typeof customer === "string") context.customer_params = { customer_identifier: customer };
  else if (customer) context.customer_params = customer;
  if (metadata) context.metadata = metadata;
  if (thread) context.thread_identifier = thread;
  if (options.acceptCredentialHeaders) {
    const id = header(headers, "x-keyway-customer-id");
    if (id && !context.customer_params?.customer_identifier)
      context.customer_params = { ...context.customer_params, customer_identifier: id };
    const encoded = header(headers, "x-keyway-customer-credentials");
    if (encoded) {
      let credentials: unknown;
      try {
        credentials = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
      } catch {
        throw new InvalidRequestError("x-keyway-customer-credentials must be base64-encoded JSON", {
          field: "x-keyway-customer-credentials",
        });
      }
      parseCustomerCredentials(credentials, "x-keyway-customer-credentials");
      context.customer_credentials = credentials;
    }
  }
  return context;
}

/** The gateway bound to one request's context: what `req.keyway` / `ctx.state.keyway` is. */
export interface BoundGateway {
  readonly context: KeywayContext;
  chat: ChatMethod;
  embeddings: Gateway["embeddings"];
}

export function bindGateway(gateway: () => Gateway, context: KeywayContext, logSource: string): BoundGateway {
  return {
    context,
    chat: ((request: ChatRequest, options: ChatOptions = {}) =>
      gateway().chat(request, { logSource, context, ...options })) as ChatMethod,
    embeddings: (request, options = {}) => gateway().embeddings(request, { logSource, context, ...options }),
  };
}
