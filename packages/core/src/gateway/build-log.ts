import { applyUsage } from "../log/apply-usage.js";
import { dropContent } from "../log/disable-log.js";
import type { ChatMessage, RequestLog } from "../log/request-log.js";
import type { OpenAIChatRequest, OpenAIMessage, OpenAIUsage } from "../wire/openai-types.js";
import { baseLog, type CallOutcomeBase, seconds } from "./base-log.js";

/** Everything known of one finished chat call, success or error: the input of its log. */
export interface CallOutcome extends CallOutcomeBase {
  readonly request: OpenAIChatRequest;
  readonly firstOutputAt: number | undefined;
  readonly completion: OpenAIMessage | undefined;
  readonly usage: OpenAIUsage | undefined;
  readonly finishReason: string | null | undefined;
  /** Answered from the response cache: nothing was spent. */
  readonly cacheHit?: boolean;
}

/** The one log of a finished chat call, success or error, streamed or not. */
export function buildGatewayLog(call: CallOutcome): RequestLog {
  const { request, usage, route } = call;
  const log = baseLog(call, "chat");
  log.prompt_messages = request.messages as ChatMessage[];
  if (call.completion) log.completion_message = call.completion as ChatMessage;
  log.stream = request.stream === true;
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
  if (call.cacheHit) {
    log.cache_hit = true;
    log.cost = 0;
  }
  for (const field of ["tools", "tool_choice", "response_format", "temperature", "top_p", "stop"] as const) {
    const value: unknown = request[field];
    if (value !== undefined && value !== null) (log as Record<string, unknown>)[field] = value;
  }
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === "number") log.max_tokens = maxTokens;
  return (call.params.disable_log ?? call.context?.disable_log) ? dropContent(log) : log;
}
