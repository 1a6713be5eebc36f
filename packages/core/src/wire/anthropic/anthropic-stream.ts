import { ProviderError } from "../../errors/errors.js";
import {
  canonicalChunk,
  type OpenAIChatChunk,
  type OpenAIChunkToolCall,
  type OpenAIUsage,
} from "../openai-types.js";
import type { SseEvent } from "../sse.js";
import { streamEventJson } from "../stream-event.js";
import { finishReasonOf, usageFromAnthropic } from "./anthropic-response.js";

type Json = Record<string, unknown>;

/**
 * Translates Anthropic stream events into OpenAI chunks, one event at a time: `message_start` → the role chunk,
 * text and `input_json` deltas → content and tool-call deltas, `message_delta` → the finish chunk, and (when the
 * caller asked for usage) a final usage chunk at `message_stop`.
 */
export class AnthropicStreamTranslator {
  #id = "";
  #usage: Json = {};
  #toolIndexByBlock = new Map<number, number>();
  #created: number;
  /** Whether `message_stop` arrived: a stream that ends before it was cut off. */
  ended = false;

  constructor(
    private readonly model: string,
    private readonly provider: string,
    created: number,
  ) {
    this.#created = created;
  }

  #chunk(
    delta: OpenAIChatChunk["choices"][number]["delta"],
    finish: OpenAIChatChunk["choices"][number]["finish_reason"] = null,
  ): OpenAIChatChunk {
    return canonicalChunk({ id: this.#id, created: this.#created, model: this.model }, delta, finish);
  }

  /** The usage so far, in OpenAI's terms. */
  get usage(): OpenAIUsage {
    return usageFromAnthropic(this.#usage);
  }

  translate(event: SseEvent, includeUsage: boolean): OpenAIChatChunk[] {
    const data = streamEventJson(event, this.provider);
    switch (data.type ?? event.event) {
      case "message_start": {
        const message = (data.message ?? {}) as Json;
        this.#id = String(message.id ?? "");
        this.#usage = { ...((message.usage as Json) ?? {}) };
        return [this.#chunk({ role: "assistant", content: "" })];
      }
      case "content_block_start": {
        const block = (data.content_block ?? {}) as Json;
        if (block.type !== "tool_use") return [];
        const toolIndex = this.#toolIndexByBlock.size;
        this.#toolIndexByBlock.set(Number(data.index), toolIndex);
        const call: OpenAIChunkToolCall = {
          index: toolIndex,
          id: String(block.id),
          type: "function",
          function: { name: String(block.name), arguments: "" },
        };
        return [this.#chunk({ tool_calls: [call] })];
      }
      case "content_block_delta": {
        const delta = (data.delta ?? {}) as Json;
        if (delta.type === "text_delta") return [this.#chunk({ content: String(delta.text ?? "") })];
        if (delta.type === "input_json_delta") {
          const index = this.#toolIndexByBlock.get(Number(data.index)) ?? 0;
          return [
            this.#chunk({
              tool_calls: [{ index, function: { arguments: String(delta.partial_json ?? "") } }],
            }),
          ];
        }
        return [];
      }
      case "message_delta": {
        Object.assign(this.#usage, (data.usage as Json) ?? {});
        const delta = (data.delta ?? {}) as Json;
        return [this.#chunk({}, finishReasonOf(delta.stop_reason))];
      }
      case "message_stop":
        this.ended = true;
        return includeUsage ? [{ ...this.#chunk({}), choices: [], usage: this.usage }] : [];
      case "error": {
        const error = (data.error ?? {}) as Json;
        const status =
          error.type === "overloaded_error" ? 529 : error.type === "rate_limit_error" ? 429 : 500;
        throw new ProviderError(
          this.provider,
          status,
          `Provider "${this.provider}" stream error: ${String(error.message ?? error.type ?? "unknown")}`,
        );
      }
      default:
        return [];
    }
  }
}
