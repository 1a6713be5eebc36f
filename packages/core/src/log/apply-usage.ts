import { computeCost, type ModelPrices, type TokenUsage } from "../pricing/compute-cost.js";
import type { RequestLog } from "./request-log.js";

export interface LogUsage extends TokenUsage {
  reasoningTokens?: number | undefined;
}

/**
 * Writes token usage into a log once, the same way for every door: `prompt_tokens` (the whole input),
 * `completion_tokens`, `total_tokens`, cache reads/writes and reasoning tokens when present, and the cost with its
 * unit prices when the model's price is known (custom prices first, then the table; never a guess).
 */
export function applyUsage(
  log: RequestLog,
  usage: LogUsage,
  pricing: {
    model: string | undefined;
    provider?: string | undefined;
    prices?: Record<string, ModelPrices> | undefined;
  },
): RequestLog {
  if (usage.promptTokens !== undefined) log.prompt_tokens = usage.promptTokens;
  if (usage.completionTokens !== undefined) log.completion_tokens = usage.completionTokens;
  if (usage.promptTokens !== undefined && usage.completionTokens !== undefined)
    log.total_tokens = usage.promptTokens + usage.completionTokens;
  if (usage.cacheReadTokens) log.prompt_cache_hit_tokens = usage.cacheReadTokens;
  if (usage.cacheWriteTokens) log.prompt_cache_creation_tokens = usage.cacheWriteTokens;
  if (usage.reasoningTokens) log.reasoning_tokens = usage.reasoningTokens;
  const cost = computeCost(pricing.model, usage, {
    provider: pricing.provider,
    ...(pricing.prices ? { customPrices: pricing.prices } : {}),
  });
  if (cost) {
    log.cost = cost.cost;
    log.prompt_unit_price = cost.promptUnitPrice;
    log.completion_unit_price = cost.completionUnitPrice;
  }
  return log;
}
