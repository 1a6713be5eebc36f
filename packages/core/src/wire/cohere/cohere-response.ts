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
  COMPLETE: "stop",
  STOP_SEQUENCE: "stop",
  MAX_TOKENS: "length",
  TOOL_CALL: "tool_calls",
};
const finishOf = (reason: unknown): FinishReason => finishReasons[String(reason)] ?? "stop";

/**
 * Cohere's usage: what it bills (`billed_units`) is the count cost is computed from; `tokens` (which adds the
 * prompt Cohere wraps around the messages) only when no billed units came.
 */
export function cohereUsage(usage: Json | undefined): OpenAIUsage | undefined {
  if (!usage) return undefined;
  const billed = (usage.billed_units ?? usage.tokens) as Json | undefined;
  if (!billed) return undefined;
  const prompt = Number(billed.input_tokens ?? 0);
  const completion = Number(billed.output_tokens ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

const textOfContent = (content: unknown): string =>
  Array.isArray(content)
    ? (content as Json[]).map((part) => (part.type === "text" ? String(part.text ?? "") : "")).join("")
    : typeof content === "string"
      ? content
      : "";

/**
 * A v2 Chat answer as the canonical completion: its text parts, `tool_calls` as they are (Cohere's shape is
 * OpenAI's), finish reason, billed usage. Citations have no place in a chat completion and are left out.
 */
export function fromCohere(answer: Json, requestedModel: string, created: number): OpenAIChatCompletion {
  const message = (answer.message ?? {}) as Json;
  const toolCalls: OpenAIToolCall[] = Array.isArray(message.tool_calls)
    ? (message.tool_calls as Json[]).map((call) => {
        const fn = (call.function ?? {}) as Json;
        return {
          id: String(call.id),
          type: "function",
          function: { name: String(fn.name), arguments: String(fn.arguments ?? "{}") },
        };
      })
    : [];
  const usage = cohereUsage(answer.usage as Json | undefined);
  return {
    id: String(answer.id ?? `chatcmpl-cohere-${created}`),
    object: "chat.completion",
    created,
    model: requestedModel,
    choices: [
      {
        index: 0,
        message: assistantMessage(textOfContent(message.content), toolCalls),
        finish_reason: finishOf(answer.finish_reason),
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  } as OpenAIChatCompletion;
}

/**
 * v2 Chat's stream events (each names itself in `type`) as canonical chunks: `content-delta` text, each
 * `tool-call-start` as a tool call and its `tool-call-delta` arguments, the finish and billed usage at
 * `message-end` — the stream's last event. Tool plans and citations are not part of the answer; a
 * `message-end` with finish `ERROR` is the provider's error.
 */
export class CohereStreamTranslator {
  #id = "";
  #started = false;
  #tools = new Map<number, number>();
  ended = false;

  constructor(
    private readonly model: string,
    private readonly provider: string,
    private readonly created: number,
  ) {}

  #chunk(delta: OpenAIChatChunk["choices"][number]["delta"], finish: FinishReason | null = null) {
    const id = this.#id || `chatcmpl-cohere-${this.created}`;
    return canonicalChunk({ id, created: this.created, model: this.model }, delta, finish);
  }

  translate(event: SseEvent): OpenAIChatChunk[] {
    if (event.data === "[DONE]") return [];
    const data = streamEventJson(event, this.provider);
    const out: OpenAIChatChunk[] = [];
    if (typeof data.id === "string" && !this.#id) this.#id = data.id;
    if (!this.#started) {
      this.#started = true;
      out.push(this.#chunk({ role: "assistant", content: "" }));
    }
    const message = ((data.delta as Json | undefined)?.message ?? {}) as Json;
    switch (data.type) {
      case "content-delta": {
        const text = (message.content as Json | undefined)?.text;
        if (typeof text === "string" && text) out.push(this.#chunk({ content: text }));
        break;
      }
      case "tool-call-start": {
        const call = (message.tool_calls ?? {}) as Json;
        const fn = (call.function ?? {}) as Json;
        const index = this.#tools.size;
        this.#tools.set(Number(data.index), index);
        const args = String(fn.arguments ?? "");
        out.push(
          this.#chunk({
            tool_calls: [
              {
                index,
                id: String(call.id),
                type: "function",
                function: { name: String(fn.name), arguments: args },
              },
            ],
          }),
        );
        break;
      }
      case "tool-call-delta": {
        const args = ((message.tool_calls as Json | undefined)?.function as Json | undefined)?.arguments;
        if (typeof args === "string" && args)
          out.push(
            this.#chunk({
              tool_calls: [
                { index: this.#tools.get(Number(data.index)) ?? 0, function: { arguments: args } },
              ],
            }),
          );
        break;
      }
      case "message-end": {
        const end = (data.delta ?? {}) as Json;
        if (end.finish_reason === "ERROR" || end.finish_reason === "TIMEOUT")
          throw new ProviderError(
            this.provider,
            500,
            `Provider "${this.provider}" stream error: ${String(end.error ?? end.finish_reason)}`,
          );
        this.ended = true;
        out.push(this.#chunk({}, finishOf(end.finish_reason)));
        const usage = cohereUsage(end.usage as Json | undefined);
        if (usage) out.push({ ...this.#chunk({}), choices: [], usage });
        break;
      }
      default:
        break;
    }
    return out;
  }
}
