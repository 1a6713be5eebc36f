import type { KeywayContext } from "../context/context.js";
import { parseCustomerCredentials } from "../credentials/customer-credentials.js";
import { InvalidRequestError } from "../errors/errors.js";
import type { CustomerParams } from "../log/request-log.js";
import type { OpenAIChatCompletion } from "../wire/openai-types.js";
import type { ChatOptions, ChatRequest, ChatStream, Gateway } from "./create-gateway.js";

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

/** Builds the Keyway context of one web request. Throws `InvalidRequestError` for unreadable credential headers. */
export async function requestContext<Req>(
  req: Req,
  headers: Headers,
  options: RequestContextOptions<Req>,
): Promise<KeywayContext> {
  const context: KeywayContext = {};
  const customer = await options.customer?.(req);
  if (typeof customer === "string") context.customer_params = { customer_identifier: customer };
  else if (customer) context.customer_params = customer;
  const metadata = await options.metadata?.(req);
  if (metadata) context.metadata = metadata;
  const thread = await options.thread?.(req);
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
  chat(request: ChatRequest & { stream: true }, options?: ChatOptions): Promise<ChatStream>;
  chat(
    request: ChatRequest & { stream?: false | null },
    options?: ChatOptions,
  ): Promise<OpenAIChatCompletion>;
  chat(request: ChatRequest, options?: ChatOptions): Promise<OpenAIChatCompletion | ChatStream>;
}

export function bindGateway(gateway: () => Gateway, context: KeywayContext, logSource: string): BoundGateway {
  return {
    context,
    chat: ((request: ChatRequest, options: ChatOptions = {}) =>
      gateway().chat(request, { logSource, context, ...options })) as BoundGateway["chat"],
  };
}
