import { randomUUID } from "node:crypto";
import type { KeywayContext } from "../context/context.js";
import { resolveIdentity } from "../context/resolve-identity.js";
import { KeywayError } from "../errors/keyway-error.js";
import type { RequestLog } from "../log/request-log.js";
import type { ModelPrices } from "../pricing/compute-cost.js";
import type { KeywayParams } from "./request/keyway-params.js";
import type { RouteInfo } from "./route/route-call.js";

/** What every finished gateway call knows, whatever its endpoint. Never changed once made. */
export interface CallOutcomeBase {
  readonly params: KeywayParams;
  readonly context: KeywayContext | undefined;
  readonly logSource: string;
  /** `log_type`, when the endpoint's own type is not the one to log (a chat call made for the Responses API). */
  readonly logType?: string | undefined;
  /** The API the call came through (metrics' `face`). */
  readonly face: string;
  readonly startedAt: number;
  readonly startedAtMs: number;
  readonly endedAt: number;
  readonly route: RouteInfo;
  readonly error: unknown;
  readonly prices: Record<string, ModelPrices> | undefined;
}

export const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * The fields every gateway log has, for any endpoint: id, type, source, where the call went (model, provider, key
 * fingerprint, attempts, fallbacks), status and error, timing, who it was for, and its place in a trace.
 */
export function baseLog(call: CallOutcomeBase, logType: string): RequestLog {
  const { params, context, route, error } = call;
  const statusCode = error === undefined ? 200 : KeywayError.isInstance(error) ? error.statusCode : 500;
  const latencyMs = call.endedAt - call.startedAt;
  const log: RequestLog = {
    unique_id: randomUUID(),
    log_type: call.logType ?? logType,
    log_source: call.logSource,
    log_method: "inference",
    model: route.model,
    ...(route.provider ? { provider_id: route.provider } : {}),
    status_code: statusCode,
    status: error === undefined ? "success" : "error",
    latency: seconds(latencyMs),
    start_time: new Date(call.startedAtMs).toISOString(),
    timestamp: new Date(call.startedAtMs + latencyMs).toISOString(),
    attempts: route.attempts,
    ...resolveIdentity({ params, context }),
  };
  if (error !== undefined) log.error_message = error instanceof Error ? error.message : String(error);
  if (route.keyId) log.key_fingerprint = route.keyId;
  if (route.credentialSource) log.credential_source = route.credentialSource;
  if (route.fallbackFrom.length > 0) log.fallback_from = [...route.fallbackFrom];
  if (params.group_identifier) log.group_identifier = params.group_identifier;
  if (params.environment) log.environment = params.environment;
  const trace = params.trace_unique_id ?? context?.trace_unique_id;
  if (trace) {
    log.trace_unique_id = trace;
    log.span_unique_id = log.unique_id;
    const parent = params.span_parent_id ?? context?.span_parent_id;
    if (parent) log.span_parent_id = parent;
    log.span_name = params.span_name ?? log.log_type;
  }
  return log;
}
