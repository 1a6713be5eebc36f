import { ProviderError } from "../../errors/errors.js";
import { assistantMessage } from "../chat-content.js";
import {
  canonicalChunk,
  type FinishReason,
  type OpenAIChatChunk,
  type OpenAIChatCompletion,
  type OpenAIToolCall,
  type OpenAIUsage,
} from "../openai-types.js";
import type { SseEvent } from "../sse.js";
import { streamEventJson } from "../stream-event.js";

type Json = Record<string, unknown>;

const finishReasons: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  content_filtered: "content_filter",
  guardrail_intervened: "content_filter",
};
const finishOf = (reason: unknown): FinishReason => finishReasons[String(reason)] ?? "stop";

function usageOf(usage: Json | undefined): OpenAIUsage | undefined {
  if (!usage) return undefined;
  const prompt = Number(usage.inputTokens ?? 0);
  const completion = Number(usage.outputTokens ?? 0);
  const cached = Number(usage.cacheReadInputTokens ?? 0);
  return {
    prompt_tokens: prompt + cached,
    completion_tokens: completion,
    total_tokens: prompt + cached + completion,
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  } as OpenAIUsage;
}

/** A Converse answer as the canonical completion: text, `toolUse` blocks as tool calls, stop reason, usage. */
export function fromConverse(answer: Json, requestedModel: string, created: number): OpenAIChatCompletion {
  const message = ((answer.output as Json | undefined)?.message ?? {}) as Json;
  const blocks = Array.isArray(message.content) ? (message.content as Json[]) : [];
  const text = blocks.map((block) => (typeof block.text === "string" ? block.text : "")).join("");
  const toolCalls: OpenAIToolCall[] = blocks
    .filter((block) => block.toolUse)
    .map((block) => {
      const use = block.toolUse as Json;
      return {
        id: String(use.toolUseId),
        type: "function",
        function: { name: String(use.name), arguments: JSON.stringify(use.input ?? {}) },
      };
    });
  const usage = usageOf(answer.usage as Json | undefined);
  return {
    id: `chatcmpl-bedrock-${created}`,
    object: "chat.completion",
    created,
    model: requestedModel,
    choices: [
      {
        index: 0,
        message: assistantMessage(text, toolCalls),
        finish_reason: finishOf(answer.stopReason),
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  } as OpenAIChatCompletion;
}

/**
 * ConverseStream's events (decoded from the AWS event stream; `event` is the `:event-type`) as canonical chunks:
 * text deltas, each `toolUse` block as a tool call with its input deltas, the finish at `messageStop`, usage at
 * `metadata` — the stream's last event. An exception event is the provider's error.
 */
export class ConverseStreamTranslator {
  #started = false;
  #tools = new Map<number, number>();
  #finish: FinishReason | undefined;
  ended = false;

  constructor(
    private readonly model: string,
    private readonly provider: string,
    private readonly created: number,
  ) {}

  #chunk(
    delta: OpenAIChatChunk["choices"][number]["delta"],
    finish: FinishReason | null = null,
  ): OpenAIChatChunk {
    return canonicalChunk(
      { id: `chatcmpl-bedrock-${this.created}`, created: this.created, model: this.model },
      delta,
      finish,
    );
  }

  translate(event: SseEvent): OpenAIChatChunk[] {
    const data = streamEventJson(event, this.provider);
    const out: OpenAIChatChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push(this.#chunk({ role: "assistant", content: "" }));
    }
    switch (event.event) {
      case "contentBlockStart": {
        const use = (data.start as Json | undefined)?.toolUse as Json | undefined;
        if (!use) break;
        const index = this.#tools.size;
        this.#tools.set(Number(data.contentBlockIndex), index);
        out.push(
          this.#chunk({
            tool_calls: [
              {
                index,
                id: String(use.toolUseId),
                type: "function",
                function: { name: String(use.name), arguments: "" },
              },
            ],
          }),
        );
        break;
      }
      case "contentBlockDelta": {
        const delta = (data.delta ?? {}) as Json;
        if (typeof delta.text === "string") out.push(this.#chunk({ content: delta.text }));
        const use = delta.toolUse as Json | undefined;
        if (use)
          out.push(
            this.#chunk({
              tool_calls: [
                {
                  index: this.#tools.get(Number(data.contentBlockIndex)) ?? 0,
                  function: { arguments: String(use.input ?? "") },
                },
              ],
            }),
          );
        break;
      }
      case "messageStop":
        this.#finish = finishOf(data.stopReason);
        out.push(this.#chunk({}, this.#finish));
        break;
      case "metadata": {
        if (this.#finish === undefined) break;
        this.ended = true;
        const usage = usageOf(data.usage as Json | undefined);
        if (usage) out.push({ ...this.#chunk({}), choices: [], usage });
        break;
      }
      default:
        break;
    }
    return out;
  }
}

/** An exception message of the event stream (`:message-type: exception`) as the provider's error. */
export function converseException(type: string, payload: string, provider: string): ProviderError {
  let message = payload;
  try {
    message = String((JSON.parse(payload) as Json).message ?? payload);
  } catch {}
  const status = /throttl/i.test(type)
    ? 429
    : /validation/i.test(type)
      ? 400
      : /unavailable|overloaded/i.test(type)
        ? 503
        : 500;
  return new ProviderError(provider, status, `Provider "${provider}" stream error: ${type}: ${message}`);
}
