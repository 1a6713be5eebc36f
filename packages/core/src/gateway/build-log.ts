import { randomUUID } from "node:crypto";
import type { KeywayContext } from "../context/context.js";
import { resolveIdentity } from "../context/resolve-identity.js";
import { KeywayError } from "../errors/keyway-error.js";
import { applyUsage } from "../log/apply-usage.js";
import { dropContent } from "../log/disable-log.js";
import type { ChatMessage, RequestLog } from "../log/request-log.js";
import type { ModelPrices } from "../pricing/compute-cost.js";
import type { OpenAIChatRequest, OpenAIMessage, OpenAIUsage } from "../wire/openai-types.js";
import type { KeywayParams } from "./keyway-params.js";
import type { RouteInfo } from "./route-call.js";

/** Everything known of one finished call, success or error: the input of its log. Never changed once made. */
export interface CallOutcome {
  readonly request: OpenAIChatRequest;
  readonly params: KeywayParams;
  readonly context: KeywayContext | undefined;
  readonly logSource: string;
  readonly startedAt: number;
  readonly startedAtMs: number;
  readonly endedAt: number;
  readonly firstOutputAt: number | undefined;
  readonly route: RouteInfo;
  readonly completion: OpenAIMessage | undefined;
  readonly usage: OpenAIUsage | undefined;
  readonly finishReason: string | null | undefined;
  readonly error: unknown;
  readonly prices: Record<string, ModelPrices> | undefined;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** The one log of a finished gateway call, success or error, streamed or not. */
export function buildGatewayLog(call: CallOutcome): RequestLog {
  const { request, params, context, usage, route } = call;
  const error = call.error;
  const statusCode = error === undefined ? 200 : KeywayError.isInstance(error) ? error.statusCode : 500;
  const identity = resolveIdentity({ params, context });
  const latencyMs = call.endedAt - call.startedAt;
  const log: RequestLog = {
    unique_id: randomUUID(),
    log_type: "chat",
    log_source: call.logSource,
    log_method: "inference",
    model: route.model,
    ...(route.provider ? { provider_id: route.provider } : {}),
    prompt_messages: request.messages as ChatMessage[],
    ...(call.completion ? { completion_message: call.completion as ChatMessage } : {}),
    stream: request.stream === true,
    status_code: statusCode,
    status: error === undefined ? "success" : "error",
    latency: seconds(latencyMs),
    start_time: new Date(call.startedAtMs).toISOString(),
    timestamp: new Date(call.startedAtMs + latencyMs).toISOString(),
    attempts: route.attempts,
  };
  if (error !== undefined) log.error_message = error instanceof Error ? error.message : String(error);
  if (call.firstOutputAt !== undefined)
    log.time_to_first_token = seconds(call.firstOutputAt - call.startedAt);
  if (usage) {
    applyUsage(
      log,
      {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        cacheReadTokens: usage.prompt_tokens_details?.cached_tokens,
        cacheWriteTokens: usage.cache_creation_input_tokens,
        reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
      },
      { model: route.model, provider: route.provider, prices: call.prices },
    );
    if (
      usage.completion_tokens > 0 &&
      call.firstOutputAt !== undefined &&
      call.endedAt > call.firstOutputAt
    ) {
      log.tokens_per_second =
        Math.round((usage.completion_tokens / ((call.endedAt - call.firstOutputAt) / 1000)) * 10) / 10;
    }
  }
  if (call.finishReason) log.finish_reason = call.finishReason;
  if (route.keyId) log.key_fingerprint = route.keyId;
  if (route.credentialSource) log.credential_source = route.credentialSource;
  if (route.fallbackFrom.length > 0) log.fallback_from = [...route.fallbackFrom];
  Object.assign(log, identity);
  if (params.group_identifier) log.group_identifier = params.group_identifier;
  if (params.environment) log.environment = params.environment;
  const trace = params.trace_unique_id ?? context?.trace_unique_id;
  if (trace) {
    log.trace_unique_id = trace;
    log.span_unique_id = log.unique_id;
    const parent = params.span_parent_id ?? context?.span_parent_id;
    if (parent) log.span_parent_id = parent;
    log.span_name = params.span_name ?? "chat";
  }
  for (const field of ["tools", "tool_choice", "response_format", "temperature", "top_p", "stop"] as const) {
    const value: unknown = request[field];
    if (value !== undefined && value !== null) (log as Record<string, unknown>)[field] = value;
  }
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === "number") log.max_tokens = maxTokens;
  return (params.disable_log ?? context?.disable_log) ? dropContent(log) : log;
}
