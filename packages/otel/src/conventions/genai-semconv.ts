import { fromGenAIMessages, providerId } from "../attributes.js";
import type { Convention, SpanReading } from "./span-reading.js";

const modelOperations = new Set(["chat", "text_completion", "generate_content", "completion"]);
const spanTypes: Record<string, string> = {
  invoke_agent: "agent",
  create_agent: "agent",
  agent_step: "workflow",
  execute_tool: "tool",
  embeddings: "task",
};

function systemMessages(value: unknown) {
  if (!Array.isArray(value)) return [];
  const text = value.map((part: Record<string, unknown>) => String(part.content ?? "")).join("\n");
  return text ? [{ role: "system", content: text }] : [];
}

/**
 * The OpenTelemetry GenAI semantic conventions (also what the AI SDK 7's `OpenTelemetry` integration emits:
 * `chat <model>` inside `step N` inside `invoke_agent <model>`). Only `chat`-like operations are model calls;
 * agent, step and tool operations are trace spans.
 */
export const genAISemconv: Convention = {
  name: "genai-semconv",
  read(_span, a) {
    const operation = a.string("gen_ai.operation.name");
    if (!operation) return undefined;
    if (!modelOperations.has(operation)) {
      return {
        kind: "span",
        logType: spanTypes[operation] ?? "task",
        input: a.json("gen_ai.input.messages", "gen_ai.tool.call.arguments"),
        output: a.json("gen_ai.output.messages", "gen_ai.tool.call.result"),
      };
    }
    const reading: SpanReading = { kind: "request" };
    const model = a.string("gen_ai.response.model", "gen_ai.request.model");
    const provider = providerId(a.string("gen_ai.provider.name", "gen_ai.system"));
    if (model) reading.model = model;
    if (provider) reading.provider = provider;
    const input = fromGenAIMessages(a.json("gen_ai.input.messages"));
    const legacyPrompt = a.json("gen_ai.prompt");
    const messages =
      input ?? (Array.isArray(legacyPrompt) ? (legacyPrompt as SpanReading["messages"]) : undefined);
    const system = systemMessages(a.json("gen_ai.system_instructions"));
    if (messages || system.length > 0) reading.messages = [...system, ...(messages ?? [])];
    const output = fromGenAIMessages(a.json("gen_ai.output.messages"));
    const legacyCompletion = a.json("gen_ai.completion");
    if (output?.[0]) reading.completion = { ...output[0], role: "assistant" };
    else if (Array.isArray(legacyCompletion) && legacyCompletion[0]) reading.completion = legacyCompletion[0];
    const promptTokens = a.number("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
    const completionTokens = a.number("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
    const cacheRead = a.number(
      "gen_ai.usage.cache_read.input_tokens",
      "gen_ai.usage.cache_read_input_tokens",
    );
    const cacheWrite = a.number(
      "gen_ai.usage.cache_creation.input_tokens",
      "gen_ai.usage.cache_creation_input_tokens",
    );
    if (promptTokens !== undefined) reading.promptTokens = promptTokens;
    if (completionTokens !== undefined) reading.completionTokens = completionTokens;
    if (cacheRead) reading.cacheReadTokens = cacheRead;
    if (cacheWrite) reading.cacheWriteTokens = cacheWrite;
    const ttft = a.number(
      "gen_ai.client.operation.time_to_first_chunk",
      "gen_ai.response.time_to_first_chunk",
    );
    if (ttft !== undefined) {
      reading.timeToFirstToken = ttft;
      reading.stream = true;
    }
    const finish = a.first("gen_ai.response.finish_reasons");
    if (finish) reading.finishReason = finish;
    const temperature = a.number("gen_ai.request.temperature");
    if (temperature !== undefined) reading.temperature = temperature;
    const maxTokens = a.number("gen_ai.request.max_tokens");
    if (maxTokens !== undefined) reading.maxTokens = maxTokens;
    return reading;
  },
};
