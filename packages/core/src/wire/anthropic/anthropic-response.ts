import { assistantMessage } from "../chat-content.js";
import type { FinishReason, OpenAIChatCompletion, OpenAIToolCall, OpenAIUsage } from "../openai-types.js";

type Json = Record<string, unknown>;

/** Anthropic stop reason → OpenAI finish reason. */
export function finishReasonOf(stopReason: unknown): FinishReason | null {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return stopReason === null || stopReason === undefined ? null : "stop";
  }
}

/**
 * Anthropic usage → OpenAI usage. Anthropic's `input_tokens` excludes cached tokens; OpenAI's `prompt_tokens`
 * includes them, so cache reads and writes are added back, and reads reported as `cached_tokens`.
 */
export function usageFromAnthropic(usage: Json | undefined): OpenAIUsage {
  const input = Number(usage?.input_tokens ?? 0);
  const cacheRead = Number(usage?.cache_read_input_tokens ?? 0);
  const cacheWrite = Number(usage?.cache_creation_input_tokens ?? 0);
  const output = Number(usage?.output_tokens ?? 0);
  const prompt = input + cacheRead + cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: output,
    total_tokens: prompt + output,
    prompt_tokens_details: { cached_tokens: cacheRead },
    ...(cacheWrite > 0 ? { cache_creation_input_tokens: cacheWrite } : {}),
  };
}

/** Anthropic Messages response → OpenAI chat completion. */
export function fromAnthropicMessage(
  message: Json,
  requestedModel: string,
  created: number,
): OpenAIChatCompletion {
  const blocks = Array.isArray(message.content) ? (message.content as Json[]) : [];
  const text = blocks
    .filter((block) => block.type === "text")
    .map((block) => String(block.text ?? ""))
    .join("");
  const toolCalls: OpenAIToolCall[] = blocks
    .filter((block) => block.type === "tool_use")
    .map((block) => ({
      id: String(block.id),
      type: "function",
      function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
    }));
  return {
    id: String(message.id ?? `chatcmpl-${created}`),
    object: "chat.completion",
    created,
    model: requestedModel,
    choices: [
      {
        index: 0,
        message: assistantMessage(text, toolCalls),
        finish_reason: finishReasonOf(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: usageFromAnthropic(message.usage as Json | undefined),
  };
}
