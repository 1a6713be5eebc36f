import type { ChatMessage } from "@keyway/core";
import { type AttributeReader, providerId } from "../attributes.js";
import type { Convention, SpanReading } from "./span-reading.js";

function indexed(a: AttributeReader, prefix: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (let i = 0; a.has(`${prefix}.${i}.role`) || a.has(`${prefix}.${i}.content`); i++) {
    messages.push({
      role: a.string(`${prefix}.${i}.role`) ?? "user",
      content: a.string(`${prefix}.${i}.content`) ?? "",
    });
  }
  return messages;
}

/**
 * OpenLLMetry (traceloop) ≤ 0.22 names: indexed `gen_ai.prompt.N.role/content`, `gen_ai.completion.N.*`,
 * `gen_ai.usage.prompt_tokens`, `llm.usage.total_tokens`, `llm.request.type`, `gen_ai.system`.
 */
export const openLLMetry: Convention = {
  name: "openllmetry",
  read(_span, a) {
    const requestType = a.string("llm.request.type");
    const hasIndexed =
      a.has("gen_ai.prompt.0.role") ||
      a.has("gen_ai.prompt.0.content") ||
      a.has("gen_ai.completion.0.content");
    if (!hasIndexed && requestType !== "chat" && requestType !== "completion") return undefined;
    const reading: SpanReading = { kind: "request" };
    const model = a.string(
      "gen_ai.response.model",
      "gen_ai.request.model",
      "llm.response.model",
      "llm.request.model",
    );
    const provider = providerId(a.string("gen_ai.system", "gen_ai.provider.name", "llm.vendor"));
    if (model) reading.model = model;
    if (provider) reading.provider = provider;
    const prompt = indexed(a, "gen_ai.prompt");
    if (prompt.length > 0) reading.messages = prompt;
    const completion = indexed(a, "gen_ai.completion")[0];
    if (completion) reading.completion = { ...completion, role: "assistant" };
    const finish = a.string("gen_ai.completion.0.finish_reason");
    if (finish) reading.finishReason = finish;
    const promptTokens = a.number(
      "gen_ai.usage.prompt_tokens",
      "gen_ai.usage.input_tokens",
      "llm.usage.prompt_tokens",
    );
    const completionTokens = a.number(
      "gen_ai.usage.completion_tokens",
      "gen_ai.usage.output_tokens",
      "llm.usage.completion_tokens",
    );
    const total = a.number("llm.usage.total_tokens", "gen_ai.usage.total_tokens");
    if (promptTokens !== undefined) reading.promptTokens = promptTokens;
    if (completionTokens !== undefined) reading.completionTokens = completionTokens;
    else if (total !== undefined && promptTokens !== undefined)
      reading.completionTokens = total - promptTokens;
    const cacheRead = a.number("gen_ai.usage.cache_read_input_tokens");
    if (cacheRead) reading.cacheReadTokens = cacheRead;
    if (a.string("llm.is_streaming") === "true" || a.attributes["llm.is_streaming"] === true)
      reading.stream = true;
    const temperature = a.number("gen_ai.request.temperature", "llm.temperature");
    if (temperature !== undefined) reading.temperature = temperature;
    const maxTokens = a.number("gen_ai.request.max_tokens", "llm.request.max_tokens");
    if (maxTokens !== undefined) reading.maxTokens = maxTokens;
    return reading;
  },
};
