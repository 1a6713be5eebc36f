type Json = Record<string, unknown>;

export interface RunUsage {
  promptTokens?: number;
  completionTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/**
 * Token usage of a finished model run: the generation's `usage_metadata` (input is the total, cache included),
 * else `llmOutput.tokenUsage`, else `llmOutput.estimatedTokenUsage`.
 */
export function usageOf(output: { generations?: unknown[][]; llmOutput?: Json | undefined }): RunUsage {
  const generation = output.generations?.[0]?.[0] as { message?: { usage_metadata?: Json } } | undefined;
  const metadata = generation?.message?.usage_metadata;
  if (metadata) {
    const input = (metadata.input_token_details ?? {}) as Json;
    const outputDetails = (metadata.output_token_details ?? {}) as Json;
    return {
      promptTokens: num(metadata.input_tokens),
      completionTokens: num(metadata.output_tokens),
      cacheReadTokens: num(input.cache_read),
      cacheWriteTokens: num(input.cache_creation),
      reasoningTokens: num(outputDetails.reasoning),
    };
  }
  const llmOutput = output.llmOutput ?? {};
  const usage = (llmOutput.tokenUsage ?? llmOutput.estimatedTokenUsage) as Json | undefined;
  if (usage) return { promptTokens: num(usage.promptTokens), completionTokens: num(usage.completionTokens) };
  return {};
}
