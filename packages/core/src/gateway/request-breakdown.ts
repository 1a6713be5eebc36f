import type { RequestLog } from "../log/request-log.js";
import type { OpenAIChatChunk } from "../wire/openai-types.js";

/** Respan's `request_breakdown`: what the call cost and took, from its log. */
export function breakdownOf(log: RequestLog): Record<string, unknown> {
  const fields = [
    "model",
    "provider_id",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost",
    "latency",
    "time_to_first_token",
    "attempts",
    "status_code",
  ] as const;
  const breakdown: Record<string, unknown> = {};
  for (const field of fields) if (log[field] !== undefined) breakdown[field] = log[field];
  return breakdown;
}

/** A stream with Respan's breakdown as its last chunk (`"id": "request_breakdown"`), once the call is logged. */
export async function* withBreakdown(
  chunks: AsyncIterable<OpenAIChatChunk>,
  logged: () => RequestLog | undefined,
  model: string,
): AsyncGenerator<OpenAIChatChunk> {
  yield* chunks;
  const log = logged();
  if (!log) return;
  yield {
    id: "request_breakdown",
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [],
    request_breakdown: breakdownOf(log),
  };
}
