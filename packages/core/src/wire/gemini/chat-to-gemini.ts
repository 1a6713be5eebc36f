import type { SseEventOut } from "../anthropic/chat-to-messages.js";
import { answerToolArguments } from "../chat-content.js";
import { CompletionAccumulator } from "../completion-accumulator.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIToolCall, OpenAIUsage } from "../openai-types.js";
import { assistantParts } from "./gemini-request.js";

type Json = Record<string, unknown>;

const finishReasons: Record<string, string> = {
  stop: "STOP",
  tool_calls: "STOP",
  function_call: "STOP",
  length: "MAX_TOKENS",
  content_filter: "SAFETY",
};
const answerArgs = (call: OpenAIToolCall) => answerToolArguments(call.function.arguments);
const finishOf = (finish: string | null | undefined) => finishReasons[finish ?? "stop"] ?? "STOP";

/** OpenAI usage as Gemini's `usageMetadata` (reasoning is Gemini's `thoughtsTokenCount`, apart from the answer). */
function usageMetadataOf(usage: OpenAIUsage | undefined | null): Json | undefined {
  if (!usage) return undefined;
  const thoughts = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    promptTokenCount: usage.prompt_tokens,
    candidatesTokenCount: Math.max(0, usage.completion_tokens - thoughts),
    totalTokenCount: usage.total_tokens,
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
  };
}

function responseOf(
  parts: Json[],
  model: string,
  id: string,
  extra: { candidate?: Json; usageMetadata?: Json | undefined } = {},
): Json {
  return {
    candidates: [{ content: { role: "model", parts }, index: 0, ...extra.candidate }],
    ...(extra.usageMetadata ? { usageMetadata: extra.usageMetadata } : {}),
    modelVersion: model,
    responseId: id,
  };
}

/** The canonical completion as a `generateContent` answer: text and `functionCall` parts, finish reason, usage. */
export function chatToGemini(completion: OpenAIChatCompletion, model: string): Json {
  const choice = completion.choices[0];
  const message = choice?.message;
  const text = typeof message?.content === "string" ? message.content : "";
  const parts = assistantParts(text, message?.tool_calls ?? [], answerArgs);
  return responseOf(parts, model, completion.id, {
    candidate: { finishReason: finishOf(choice?.finish_reason) },
    usageMetadata: usageMetadataOf(completion.usage),
  });
}

/**
 * The canonical chunk stream as `streamGenerateContent?alt=sse` events: each text delta as it comes; function
 * calls (whose arguments arrive in pieces) whole, with the finish reason and `usageMetadata`, in the last event.
 */
export async function* chatStreamToGemini(
  chunks: AsyncIterable<OpenAIChatChunk>,
  model: string,
): AsyncGenerator<SseEventOut> {
  const answer = new CompletionAccumulator();
  for await (const chunk of chunks) {
    answer.add(chunk);
    const text = chunk.choices[0]?.delta.content;
    if (text) yield { data: responseOf([{ text }], model, answer.id ?? "") };
  }
  const parts = assistantParts("", answer.message().tool_calls ?? [], answerArgs);
  yield {
    data: responseOf(parts.length > 0 ? parts : [{ text: "" }], model, answer.id ?? "", {
      candidate: { finishReason: finishOf(answer.finishReason) },
      usageMetadata: usageMetadataOf(answer.usage),
    }),
  };
}
