import { InvalidRequestError } from "../../errors/errors.js";
import type { CustomerParams } from "../../log/request-log.js";

/** Respan's gateway extensions to the OpenAI chat body, as Keyway reads them. */
export interface KeywayParams {
  customer_identifier?: string;
  customer_params?: CustomerParams;
  metadata?: Record<string, unknown>;
  thread_identifier?: string;
  custom_identifier?: string;
  group_identifier?: string;
  environment?: string;
  customer_credentials?: unknown;
  credential_override?: Record<string, { api_key?: string; api_base?: string; api_version?: string }>;
  fallback_models?: string[];
  /** Models and providers this call must not be routed to (the requested model and its fallbacks). */
  exclude_models?: string[];
  exclude_providers?: string[];
  disable_fallback?: boolean;
  /** Respan's load balancing among models (see `applyLoadBalance`). */
  load_balance_group?: { group_id?: string; models: unknown[] };
  load_balance_models?: unknown[];
  /** Respan's model pool: models of equal weight, one chosen per request, the others its fallbacks. */
  models?: string[];
  /** Respan's response cache: on, for how many seconds, per customer or not, logged or not. */
  cache_enabled?: boolean;
  cache_ttl?: number;
  cache_options?: { cache_by_customer?: boolean; omit_log?: boolean };
  /** Respan's breakdown (tokens, cost, latency) added to the answer; in a stream, a last chunk. */
  request_breakdown?: boolean;
  retry_params?: { retry_enabled?: boolean; num_retries?: number; retry_after?: number };
  disable_log?: boolean;
  trace_unique_id?: string;
  span_parent_id?: string;
  span_name?: string;
}

/** Every body field that is Keyway's (or Respan's) and never goes upstream. */
export const keywayParamNames = [
  "customer_identifier",
  "customer_params",
  "customer_email",
  "customer_name",
  "metadata",
  "thread_identifier",
  "custom_identifier",
  "group_identifier",
  "environment",
  "customer_credentials",
  "credential_override",
  "fallback_models",
  "disable_fallback",
  "retry_params",
  "disable_log",
  "trace_unique_id",
  "span_parent_id",
  "span_name",
  "respan_params",
  "keywordsai_params",
  "keyway_params",
  "request_breakdown",
  "models",
  "exclude_models",
  "exclude_providers",
  "load_balance_group",
  "load_balance_models",
  "cache_enabled",
  "cache_ttl",
  "cache_options",
  "log_type",
  "prompt",
] as const;

/** `keywayParamNames` as a set, for the codecs that leave them out of what goes upstream. */
export const keywayParamSet: ReadonlySet<string> = new Set<string>(keywayParamNames);

type Json = Record<string, unknown>;

function decodeHeader(header: string): Json {
  try {
    const parsed = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Json;
  } catch {}
  throw new InvalidRequestError("X-Data-Respan-Params must be base64-encoded JSON object", {
    field: "X-Data-Respan-Params",
  });
}

function check(params: Json): KeywayParams {
  const expect = (name: string, ok: (value: unknown) => boolean, what: string) => {
    if (params[name] !== undefined && params[name] !== null && !ok(params[name])) {
      throw new InvalidRequestError(`${name} must be ${what}`, { field: name });
    }
  };
  const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
  for (const name of [
    "customer_identifier",
    "thread_identifier",
    "custom_identifier",
    "group_identifier",
    "environment",
    "trace_unique_id",
    "span_parent_id",
    "span_name",
  ]) {
    expect(name, (value) => typeof value === "string", "a string");
  }
  for (const name of [
    "customer_params",
    "metadata",
    "credential_override",
    "retry_params",
    "load_balance_group",
  ])
    expect(name, isObject, "an object");
  for (const name of ["fallback_models", "models", "exclude_models", "exclude_providers"])
    expect(
      name,
      (value) => Array.isArray(value) && value.every((item) => typeof item === "string"),
      "an array of strings",
    );
  expect(
    "cache_ttl",
    (value) => typeof value === "number" && value > 0 && value <= 31_536_000,
    "a number of seconds above 0 and at most a year",
  );
  expect(
    "cache_options",
    (value) =>
      isObject(value) &&
      Object.entries(value as Json).every(
        ([key, option]) => ["cache_by_customer", "omit_log"].includes(key) && typeof option === "boolean",
      ),
    "an object of cache_by_customer and omit_log booleans",
  );
  for (const name of ["disable_log", "disable_fallback", "request_breakdown", "cache_enabled"])
    expect(name, (value) => typeof value === "boolean", "a boolean");
  expect("customer_credentials", (value) => typeof value === "object", "an object or an array");
  const out: Json = {};
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null) out[key] = value;
  if (typeof params.customer_email === "string" || typeof params.customer_name === "string") {
    out.customer_params = {
      ...(params.customer_email ? { email: params.customer_email } : {}),
      ...(params.customer_name ? { name: params.customer_name } : {}),
      ...(out.customer_params as Json | undefined),
    };
  }
  return out as KeywayParams;
}

/**
 * Keyway parameters of one request, from the body's top level, `respan_params` (or the legacy
 * `keywordsai_params`), and the base64 `X-Data-Respan-Params` header; precedence body > respan_params > header.
 */
export function readKeywayParams(body: Json, header?: string | null): KeywayParams {
  const fromHeader = header ? decodeHeader(header) : {};
  const nested = (body.respan_params ?? body.keywordsai_params ?? body.keyway_params) as unknown;
  if (nested !== undefined && (typeof nested !== "object" || nested === null || Array.isArray(nested))) {
    throw new InvalidRequestError("respan_params must be an object", { field: "respan_params" });
  }
  const topLevel: Json = {};
  for (const name of keywayParamNames) if (body[name] !== undefined) topLevel[name] = body[name];

  return check({ ...fromHeader, ...(nested as Json | undefined), ...topLevel });
}

/** Which door made the call (`x-keyway-log-source` header), when a door says so; anything odd is ignored. */
export const logSourceOf = (value: string | null | undefined): { logSource?: string } =>
  value && /^[a-z][a-z0-9_-]{0,31}$/.test(value) ? { logSource: value } : {};
