import { ProviderError } from "../../errors/errors.js";
import {
  canonicalChunk,
  type OpenAIChatChunk,
  type OpenAIChatCompletion,
  type OpenAIToolCall,
  type OpenAIUsage,
} from "../openai-types.js";
import type { SseEvent } from "../sse.js";
import { streamEventJson } from "../stream-event.js";

type Json = Record<string, unknown>;

function usageOf(usage: Json | undefined | null): OpenAIUsage | undefined {
  if (!usage) return undefined;
  const input = Number(usage.input_tokens ?? 0);
  const output = Number(usage.output_tokens ?? 0);
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: {
      cached_tokens: Number((usage.input_tokens_details as Json | undefined)?.cached_tokens ?? 0),
    },
    completion_tokens_details: {
      reasoning_tokens: Number((usage.output_tokens_details as Json | undefined)?.reasoning_tokens ?? 0),
    },
  } as OpenAIUsage;
}

const finishOf = (response: Json, hasCalls: boolean) =>
  response.status === "incomplete" ? "length" : hasCalls ? "tool_calls" : "stop";

/** A provider's own Responses answer in the canonical (chat completion) form: what the log and routing read. */
export function responseToCompletion(response: Json, model: string): OpenAIChatCompletion {
  let text = "";
  const toolCalls: OpenAIToolCall[] = [];
  for (const item of (response.output as Json[] | undefined) ?? []) {
    if (item.type === "message")
      for (const part of (item.content as Json[] | undefined) ?? [])
        if (part.type === "output_text") text += String(part.text ?? "");
    if (item.type === "function_call")
      toolCalls.push({
        id: String(item.call_id),
        type: "function",
        function: { name: String(item.name), arguments: String(item.arguments ?? "") },
      });
  }
  const usage = usageOf(response.usage as Json | undefined);
  return {
    id: String(response.id ?? ""),
    object: "chat.completion",
    created: Number(response.created_at ?? Math.floor(Date.now() / 1000)),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text || null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishOf(response, toolCalls.length > 0),
      },
    ],
    ...(usage ? { usage } : {}),
  } as OpenAIChatCompletion;
}

/** A provider's own Responses stream events as canonical chunks, one event at a time. */
export class ResponsesStreamTranslator {
  #id = "";
  #calls = new Map<number, number>();
  /** Whether `response.completed` or `response.incomplete` arrived. */
  ended = false;

  constructor(
    private readonly model: string,
    private readonly provider: string,
    private readonly created: number,
  ) {}

  #chunk(
    delta: OpenAIChatChunk["choices"][number]["delta"],
    finish: OpenAIChatChunk["choices"][number]["finish_reason"] = null,
  ): OpenAIChatChunk {
    return canonicalChunk({ id: this.#id, created: this.created, model: this.model }, delta, finish);
  }

  translate(event: SseEvent): OpenAIChatChunk[] {
    const data = streamEventJson(event, this.provider);
    switch (data.type ?? event.event) {
      case "response.created":
        this.#id = String((data.response as Json | undefined)?.id ?? "");
        return [this.#chunk({ role: "assistant", content: "" })];
      case "response.output_text.delta":
        return [this.#chunk({ content: String(data.delta ?? "") })];
      case "response.output_item.added": {
        const item = (data.item ?? {}) as Json;
        if (item.type !== "function_call") return [];
        const index = this.#calls.size;
        this.#calls.set(Number(data.output_index), index);
        return [
          this.#chunk({
            tool_calls: [
              {
                index,
                id: String(item.call_id),
                type: "function",
                function: { name: String(item.name), arguments: "" },
              },
            ],
          }),
        ];
      }
      case "response.function_call_arguments.delta": {
        const index = this.#calls.get(Number(data.output_index)) ?? 0;
        return [this.#chunk({ tool_calls: [{ index, function: { arguments: String(data.delta ?? "") } }] })];
      }
      case "error":
      case "response.failed": {
        const error = ((data.response as Json | undefined)?.error ?? data.error ?? data) as Json;
        throw new ProviderError(
          this.provider,
          500,
          `Provider "${this.provider}" stream error: ${String(error.message ?? error.code ?? "unknown")}`,
        );
      }
      case "response.completed":
      case "response.incomplete": {
        this.ended = true;
        const response = (data.response ?? {}) as Json;
        const usage = usageOf(response.usage as Json | undefined);
        const finish = this.#chunk({}, finishOf(response, this.#calls.size > 0));
        return usage ? [finish, { ...this.#chunk({}), choices: [], usage }] : [finish];
      }
      default:
        return [];
    }
  }
}
