import { fromAISDKMessages, providerId } from "../attributes.js";
import type { Convention, SpanReading } from "./span-reading.js";

const modelCall = /^ai\.(generateText|streamText|generateObject|streamObject)\.do(Generate|Stream)$/;
const outer = /^ai\.(generateText|streamText|generateObject|streamObject|embed|embedMany)$/;

/**
 * The AI SDK's legacy telemetry names (`LegacyOpenTelemetry`, ai ≤ 6): `ai.*.doGenerate` / `ai.*.doStream` are the
 * model calls; `ai.generateText` & co. wrap them and `ai.toolCall` runs tools — trace spans only.
 */
export const aiSdkLegacy: Convention = {
  name: "ai-sdk-legacy",
  read(span, a) {
    const operation = a.string("ai.operationId") ?? span.name;
    if (operation === "ai.toolCall") {
      return {
        kind: "span",
        logType: "tool",
        input: a.json("ai.toolCall.args", "ai.toolCall.input") ?? a.string("ai.toolCall.args"),
        output: a.json("ai.toolCall.result", "ai.toolCall.output"),
      };
    }
    if (outer.test(operation))
      return {
        kind: "span",
        logType: "workflow",
        input: a.json("ai.prompt"),
        output: a.string("ai.response.text") ?? a.json("ai.response.object"),
      };
    if (!modelCall.test(operation)) return undefined;
    const reading: SpanReading = { kind: "request", stream: operation.endsWith("doStream") };
    const model = a.string(
      "ai.response.model",
      "ai.model.id",
      "gen_ai.response.model",
      "gen_ai.request.model",
    );
    const provider = providerId(a.string("ai.model.provider", "gen_ai.system"));
    if (model) reading.model = model;
    if (provider) reading.provider = provider;
    const messages = fromAISDKMessages(a.json("ai.prompt.messages"));
    if (messages) reading.messages = messages;
    const text = a.string("ai.response.text") ?? a.string("ai.response.object");
    const toolCalls = a.json("ai.response.toolCalls");
    const calls = Array.isArray(toolCalls)
      ? toolCalls.map((call: Record<string, unknown>) => ({
          id: call.toolCallId,
          type: "function",
          function: {
            name: call.toolName,
            arguments:
              typeof call.input === "string" ? call.input : JSON.stringify(call.input ?? call.args ?? {}),
          },
        }))
      : undefined;
    if (text !== undefined || calls)
      reading.completion = {
        role: "assistant",
        content: text ?? "",
        ...(calls ? { tool_calls: calls } : {}),
      };
    const promptTokens = a.number(
      "ai.usage.inputTokens",
      "ai.usage.promptTokens",
      "gen_ai.usage.input_tokens",
    );
    const completionTokens = a.number(
      "ai.usage.outputTokens",
      "ai.usage.completionTokens",
      "gen_ai.usage.output_tokens",
    );
    const cacheRead = a.number("ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens");
    const cacheWrite = a.number("ai.usage.inputTokenDetails.cacheWriteTokens");
    if (promptTokens !== undefined) reading.promptTokens = promptTokens;
    if (completionTokens !== undefined) reading.completionTokens = completionTokens;
    if (cacheRead) reading.cacheReadTokens = cacheRead;
    if (cacheWrite) reading.cacheWriteTokens = cacheWrite;
    const msToFirstChunk = a.number("ai.response.msToFirstChunk", "ai.stream.msToFirstChunk");
    if (msToFirstChunk !== undefined) reading.timeToFirstToken = msToFirstChunk / 1000;
    const finish = a.string("ai.response.finishReason");
    if (finish) reading.finishReason = finish;
    const temperature = a.number("ai.settings.temperature", "gen_ai.request.temperature");
    if (temperature !== undefined) reading.temperature = temperature;
    const maxTokens = a.number(
      "ai.settings.maxOutputTokens",
      "ai.settings.maxTokens",
      "gen_ai.request.max_tokens",
    );
    if (maxTokens !== undefined) reading.maxTokens = maxTokens;
    return reading;
  },
};
