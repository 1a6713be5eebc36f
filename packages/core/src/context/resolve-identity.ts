import type { CustomerParams } from "../log/request-log.js";
import type { KeywayContext } from "./context.js";

/** The identity values one source gives: a call's parameters, a door's options, a span's attributes… */
export interface IdentityInput {
  customer_identifier?: string | null | undefined;
  customer_params?: CustomerParams | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  thread_identifier?: string | null | undefined;
  custom_identifier?: string | null | undefined;
}

/** Who a call is for, as a log carries it (a type alias, so it spreads into a `RequestLog`). */
export type Identity = {
  customer_params?: CustomerParams;
  metadata?: Record<string, unknown>;
  thread_identifier?: string;
  custom_identifier?: string;
};

export interface IdentitySources {
  /** Per-call values, most specific first (a LangChain run's metadata before the handler's options). */
  params?: IdentityInput | readonly (IdentityInput | undefined)[];
  /** The request context (Express/Koa middleware, `runWithContext`), below every `params`. */
  context?: KeywayContext | undefined;
  /** Below everything. */
  defaults?: IdentityInput | undefined;
}

/**
 * The one merge of "who is this call for", used by every door: `params` over `context` over `defaults`.
 * `customer_params` and `metadata` merge key by key; a source's `customer_identifier` wins over its own
 * `customer_params.customer_identifier`; `thread_identifier` and `custom_identifier` come from the most specific
 * source that has one.
 */
export function resolveIdentity(sources: IdentitySources): Identity {
  const given =
    sources.params === undefined ? [] : Array.isArray(sources.params) ? sources.params : [sources.params];
  // Least specific first, so later assignments win.
  const ordered: (IdentityInput | undefined)[] = [sources.defaults, sources.context, ...[...given].reverse()];
  const customer: CustomerParams = {};
  const metadata: Record<string, unknown> = {};
  let thread: string | undefined;
  let custom: string | undefined;
  for (const source of ordered) {
    if (!source) continue;
    if (source.customer_params) Object.assign(customer, source.customer_params);
    if (source.customer_identifier) customer.customer_identifier = source.customer_identifier;
    if (source.metadata) Object.assign(metadata, source.metadata);
    if (source.thread_identifier) thread = source.thread_identifier;
    if (source.custom_identifier) custom = source.custom_identifier;
  }
  const identity: Identity = {};
  if (Object.keys(customer).length > 0) identity.customer_params = customer;
  if (Object.keys(metadata).length > 0) identity.metadata = metadata;
  if (thread) identity.thread_identifier = thread;
  if (custom) identity.custom_identifier = custom;
  return identity;
}
