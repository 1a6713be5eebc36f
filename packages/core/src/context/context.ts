import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { CustomerParams } from "../log/request-log.js";

/** Per-request Keyway state: who the call is for, and the BYOK keys it may use. */
export interface KeywayContext {
  customer_params?: CustomerParams;
  metadata?: Record<string, unknown>;
  thread_identifier?: string;
  custom_identifier?: string;
  /** Respan `customer_credentials` (any of its shapes). */
  customer_credentials?: unknown;
  /** Respan `credential_override`: `{ "<model>": { api_key, api_base? } }`. */
  credential_override?: Record<string, { api_key?: string; api_base?: string }>;
  trace_unique_id?: string;
  span_parent_id?: string;
  disable_log?: boolean;
}

const storage = new AsyncLocalStorage<KeywayContext>();

/** The context of the innermost `runWithContext` around the caller, or undefined. */
export function currentContext(): KeywayContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with a Keyway context. Nested contexts merge with the outer one (inner wins; `metadata` and
 * `customer_params` merge key by key); the trace id is created once, at the outermost call.
 */
export function runWithContext<T>(context: KeywayContext, fn: () => T): T {
  const outer = storage.getStore();
  const merged: KeywayContext = { ...outer, ...context };
  if (outer?.metadata || context.metadata) merged.metadata = { ...outer?.metadata, ...context.metadata };
  if (outer?.customer_params || context.customer_params) {
    merged.customer_params = { ...outer?.customer_params, ...context.customer_params };
  }
  merged.trace_unique_id = outer?.trace_unique_id ?? context.trace_unique_id ?? randomUUID();
  return storage.run(merged, fn);
}
