import { applyUsage, type ChatMessage, type ModelPrices, type RequestLog } from "@keyway/core";
import { toOpenAIToolCalls } from "./message-mapping.js";
import { usageOf } from "./run-usage.js";

type Json = Record<string, unknown>;

const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** What a model run's start says of it: model, provider, sampling parameters and tools, streaming. */
export interface ModelRunStart {
  model?: string;
  provider?: string;
  params: Json;
  streamed: boolean;
}

/** A model run's `invocation_params` and LangSmith metadata (`ls_*`), read the way LangChain's providers write them. */
export function modelRunStart(extraParams: Json | undefined, metadata: Json | undefined): ModelRunStart {
  const invocation = (extraParams?.invocation_params ?? {}) as Json;
  const model = str(invocation.model) ?? str(invocation.model_name) ?? str(metadata?.ls_model_name);
  const provider = str(metadata?.ls_provider);
  const params: Json = {};
  const temperature = invocation.temperature ?? metadata?.ls_temperature;
  if (typeof temperature === "number") params.temperature = temperature;
  const maxTokens = invocation.max_tokens ?? invocation.max_completion_tokens ?? metadata?.ls_max_tokens;
  if (typeof maxTokens === "number") params.max_tokens = maxTokens;
  if (typeof invocation.top_p === "number") params.top_p = invocation.top_p;
  if (Array.isArray(invocation.tools) && invocation.tools.length > 0) params.tools = invocation.tools;
  if (invocation.tool_choice !== undefined) params.tool_choice = invocation.tool_choice;
  return {
    params,
    streamed: invocation.stream === true,
    ...(model ? { model } : {}),
    ...(provider ? { provider } : {}),
  };
}

/** What LangChain hands `handleLLMEnd`. */
export type ModelRunOutput = { generations?: unknown[][]; llmOutput?: Json };

/**
 * Fills a model run's log (its common fields already in `log`): messages, parameters, TTFT, the completion and
 * its tool calls, finish reason, the model the provider reports, tokens and cost.
 */
export function fillModelLog(
  log: RequestLog,
  run: ModelRunStart & { messages?: ChatMessage[]; firstTokenAfterMs?: number | undefined },
  output: ModelRunOutput | undefined,
  prices: Record<string, ModelPrices> | undefined,
): RequestLog {
  log.log_type = "chat";
  log.stream = run.streamed === true;
  log.prompt_messages = run.messages ?? [];
  Object.assign(log, run.params);
  if (run.firstTokenAfterMs !== undefined) log.time_to_first_token = Math.round(run.firstTokenAfterMs) / 1000;
  let model = run.model;
  if (output) {
    const generation = output.generations?.[0]?.[0] as
      | { text?: string; message?: Json; generationInfo?: Json }
      | undefined;
    const message = generation?.message;
    const responseMeta = (message?.response_metadata ?? {}) as Json;
    model = str(responseMeta.model_name) ?? str(responseMeta.model) ?? model;
    const toolCalls = toOpenAIToolCalls(message?.tool_calls);
    log.completion_message = {
      role: "assistant",
      content: message ? (message.content ?? "") : (generation?.text ?? ""),
      ...(toolCalls ? { tool_calls: toolCalls } : {}),
    };
    const finish =
      str(responseMeta.finish_reason) ??
      str(responseMeta.stop_reason) ??
      str(generation?.generationInfo?.finish_reason);
    if (finish) log.finish_reason = finish;
    applyUsage(log, usageOf(output), { model, provider: run.provider, prices });
  }
  if (model) log.model = model;
  if (run.provider) log.provider_id = run.provider;
  return log;
}
