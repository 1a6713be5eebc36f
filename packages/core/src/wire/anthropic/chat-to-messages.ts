import { answerToolArguments } from "../chat-content.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIUsage } from "../openai-types.js";

type Json = Record<string, unknown>;

const stopReasons: Record<string, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};
const stopReasonOf = (finish: string | null | undefined) => stopReasons[finish ?? "stop"] ?? "end_turn";

function usageOf(usage: OpenAIUsage | undefined): Json {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const written = usage?.cache_creation_input_tokens ?? 0;
  return {
    // Anthropic counts cache reads and writes apart from input_tokens.
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached - written),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}

/** The canonical completion as an Anthropic Messages answer: text and tool_use blocks, stop reason, usage. */
export function chatToMessage(completion: OpenAIChatCompletion, model: string): Json {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: Json[] = [];
  const text = typeof message?.content === "string" ? message.content : "";
  if (text) content.push({ type: "text", text });
  for (const call of message?.tool_calls ?? [])
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: answerToolArguments(call.function.arguments),
    });
  return {
    id: `msg_${completion.id}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: usageOf(completion.usage),
  };
}

export interface SseEventOut {
  event?: string;
  data: unknown;
}

/**
 * The canonical chunk stream as Anthropic's event sequence: `message_start`, then per block
 * `content_block_start` / `content_block_delta` (`text_delta`, `input_json_delta`) / `content_block_stop`, then
 * `message_delta` (stop reason, usage) and `message_stop`.
 */
export async function* chatStreamToMessages(
  chunks: AsyncIterable<OpenAIChatChunk>,
  model: string,
): AsyncGenerator<SseEventOut> {
  const event = (type: string, data: Json): SseEventOut => ({ event: type, data: { type, ...data } });
  let started = false;
  let open: { index: number; kind: "text" | "tool"; toolIndex?: number } | undefined;
  let blocks = 0;
  let finish: string | null | undefined;
  let usage: OpenAIUsage | undefined;
  const close = function* () {
    if (open) yield event("content_block_stop", { index: open.index });
    open = undefined;
  };
  for await (const chunk of chunks) {
    if (!started) {
      started = true;
      yield event("message_start", {
        message: {
          id: `msg_${chunk.id}`,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      });
    }
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") {
      if (open?.kind !== "text") {
        yield* close();
        open = { index: blocks++, kind: "text" };
        yield event("content_block_start", { index: open.index, content_block: { type: "text", text: "" } });
      }
      yield event("content_block_delta", {
        index: open.index,
        delta: { type: "text_delta", text: delta.content },
      });
    }
    for (const call of delta.tool_calls ?? []) {
      if (call.id || open?.kind !== "tool" || open.toolIndex !== call.index) {
        yield* close();
        open = { index: blocks++, kind: "tool", toolIndex: call.index };
        yield event("content_block_start", {
          index: open.index,
          content_block: {
            type: "tool_use",
            id: call.id ?? `toolu_${open.index}`,
            name: call.function?.name ?? "",
            input: {},
          },
        });
      }
      if (call.function?.arguments)
        yield event("content_block_delta", {
          index: open.index,
          delta: { type: "input_json_delta", partial_json: call.function.arguments },
        });
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  yield* close();
  yield event("message_delta", {
    delta: { stop_reason: stopReasonOf(finish), stop_sequence: null },
    usage: usageOf(usage),
  });
  yield event("message_stop", {});
}
