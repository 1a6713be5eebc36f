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

const filtered = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "LANGUAGE",
]);

/** Gemini's `finishReason` in chat terms; a turn that calls functions ends `tool_calls` (Gemini says `STOP`). */
export function finishFromGemini(reason: unknown, calledTools: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (typeof reason === "string" && filtered.has(reason)) return "content_filter";
  return calledTools ? "tool_calls" : "stop";
}

/**
 * A Gemini turn's parts as a chat turn: the text (thought summaries left out, they are not the answer) and the
 * function calls as tool calls. Gemini ids calls only sometimes: `idOf` names the others.
 */
export function modelTurnOf(
  parts: unknown,
  idOf: (name: string, index: number) => string,
): { text: string; toolCalls: OpenAIToolCall[] } {
  let text = "";
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of Array.isArray(parts) ? (parts as Json[]) : []) {
    if (typeof part?.text === "string" && part.thought !== true) text += part.text;
    const call = part?.functionCall as Json | undefined;
    if (call && typeof call.name === "string")
      toolCalls.push({
        id: typeof call.id === "string" && call.id ? call.id : idOf(call.name, toolCalls.length),
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
      });
  }
  return { text, toolCalls };
}

/** Gemini's `usageMetadata` in OpenAI's terms: thinking counts as output, as it is billed. */
export function usageFromGemini(meta: unknown): OpenAIUsage | undefined {
  if (typeof meta !== "object" || meta === null) return undefined;
  const m = meta as Json;
  const num = (value: unknown) => (typeof value === "number" ? value : 0);
  const prompt = num(m.promptTokenCount);
  const thoughts = num(m.thoughtsTokenCount);
  const completion = num(m.candidatesTokenCount) + thoughts;
  const usage: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof m.totalTokenCount === "number" ? m.totalTokenCount : prompt + completion,
  };
  if (num(m.cachedContentTokenCount) > 0)
    usage.prompt_tokens_details = { cached_tokens: num(m.cachedContentTokenCount) };
  if (thoughts > 0) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

const callId = (name: string, index: number) => `call_${name}_${index}`;

/** A `generateContent` answer as the canonical completion (the first candidate; none when the prompt was blocked). */
export function fromGeminiResponse(answer: Json, model: string, created: number): OpenAIChatCompletion {
  const candidate = ((answer.candidates as Json[] | undefined) ?? [])[0];
  const { text, toolCalls } = modelTurnOf((candidate?.content as Json | undefined)?.parts, callId);
  const blocked = candidate === undefined && (answer.promptFeedback as Json | undefined)?.blockReason;
  const usage = usageFromGemini(answer.usageMetadata);
  return {
    id: typeof answer.responseId === "string" ? answer.responseId : `gemini-${created}`,
    object: "chat.completion",
    created,
    model,
    choices: [
      {
        index: 0,
        message: assistantMessage(text, toolCalls),
        finish_reason: blocked
          ? "content_filter"
          : finishFromGemini(candidate?.finishReason, toolCalls.length > 0),
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

/**
 * Translates a `streamGenerateContent?alt=sse` stream into OpenAI chunks, one event at a time: each event's text
 * as a content delta, each function call (Gemini sends them whole) as a tool-call delta, and at `finishReason` the
 * finish chunk and a usage chunk (Gemini repeats `usageMetadata` on every event; the last one is the total).
 */
export class GeminiStreamTranslator {
  #id = "";
  #started = false;
  #toolCalls = 0;
  #usage: OpenAIUsage | undefined;
  /** Whether a `finishReason` (or a blocked prompt) arrived: Gemini has no end event of its own. */
  ended = false;

  constructor(
    private readonly model: string,
    private readonly provider: string,
    private readonly created: number,
  ) {}

  #chunk(delta: OpenAIChatChunk["choices"][number]["delta"], finish: FinishReason | null = null) {
    return canonicalChunk({ id: this.#id, created: this.created, model: this.model }, delta, finish);
  }

  translate(event: SseEvent): OpenAIChatChunk[] {
    const data = streamEventJson(event, this.provider);
    const error = data.error as Json | undefined;
    if (error)
      throw new ProviderError(
        this.provider,
        typeof error.code === "number" ? error.code : 500,
        `Provider "${this.provider}" stream error: ${String(error.message ?? "unknown")}`,
      );
    if (!this.#id && typeof data.responseId === "string") this.#id = data.responseId;
    this.#usage = usageFromGemini(data.usageMetadata) ?? this.#usage;
    const candidate = ((data.candidates as Json[] | undefined) ?? [])[0];
    const out: OpenAIChatChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push(this.#chunk({ role: "assistant", content: "" }));
    }
    const { text, toolCalls } = modelTurnOf((candidate?.content as Json | undefined)?.parts, (name, index) =>
      callId(name, this.#toolCalls + index),
    );
    if (text) out.push(this.#chunk({ content: text }));
    for (const call of toolCalls)
      out.push(this.#chunk({ tool_calls: [{ index: this.#toolCalls++, ...call }] }));
    const blocked = candidate === undefined && (data.promptFeedback as Json | undefined)?.blockReason;
    if (candidate?.finishReason || blocked) {
      this.ended = true;
      out.push(
        this.#chunk(
          {},
          blocked ? "content_filter" : finishFromGemini(candidate?.finishReason, this.#toolCalls > 0),
        ),
      );
      if (this.#usage) out.push({ ...this.#chunk({}), choices: [], usage: this.#usage });
    }
    return out;
  }
}
