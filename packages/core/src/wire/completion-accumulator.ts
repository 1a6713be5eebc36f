import { assistantMessage } from "./chat-content.js";
import type {
  FinishReason,
  OpenAIChatChunk,
  OpenAIMessage,
  OpenAIToolCall,
  OpenAIUsage,
} from "./openai-types.js";

/** Assembles streamed chunks into the completion message, finish reason and usage a log needs. */
export class CompletionAccumulator {
  #content = "";
  #toolCalls: OpenAIToolCall[] = [];
  finishReason: FinishReason | null = null;
  usage: OpenAIUsage | undefined;
  model: string | undefined;
  id: string | undefined;

  add(chunk: OpenAIChatChunk): void {
    this.id ??= chunk.id;
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string") this.#content += delta.content;
      for (const call of delta.tool_calls ?? []) {
        let existing = this.#toolCalls[call.index];
        if (!existing) {
          existing = { id: "", type: "function", function: { name: "", arguments: "" } };
          this.#toolCalls[call.index] = existing;
        }
        if (call.id) existing.id = call.id;
        if (call.function?.name) existing.function.name += call.function.name;
        if (call.function?.arguments) existing.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
  }

  /** True once a chunk carried something the caller waits for (text, a tool call or the end). */
  static carriesOutput(chunk: OpenAIChatChunk): boolean {
    return chunk.choices.some(
      (choice) =>
        Boolean(choice.delta?.content) ||
        Boolean(choice.delta?.tool_calls?.length) ||
        choice.finish_reason !== null,
    );
  }

  message(): OpenAIMessage {
    return assistantMessage(this.#content, this.#toolCalls.filter(Boolean));
  }
}
