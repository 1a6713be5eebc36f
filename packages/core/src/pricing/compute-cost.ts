import { calcPrice } from "@pydantic/genai-prices";

/** Prices in USD per million tokens. */
export interface ModelPrices {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** Token counts with one meaning everywhere: `promptTokens` is the whole input, cache reads and writes included. */
export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export interface CostResult {
  cost: number;
  /** Per million tokens, for the log's `prompt_unit_price` / `completion_unit_price`. */
  promptUnitPrice: number;
  completionUnitPrice: number;
}

// Keyway (Respan) provider ids that genai-prices spells differently.
const priceProviderIds: Record<string, string> = {
  togetherai: "together",
  xai: "x-ai",
  moonshot: "moonshotai",
};

function customCost(prices: ModelPrices, usage: TokenUsage): CostResult {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, (usage.promptTokens ?? 0) - cacheRead - cacheWrite);
  const cost =
    (uncached * prices.input +
      cacheRead * (prices.cacheRead ?? prices.input) +
      cacheWrite * (prices.cacheWrite ?? prices.input) +
      (usage.completionTokens ?? 0) * prices.output) /
    1_000_000;
  return { cost, promptUnitPrice: prices.input, completionUnitPrice: prices.output };
}

function unitPrice(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && typeof (value as { base?: unknown }).base === "number")
    return (value as { base: number }).base;
  return 0;
}

/** Splits `groq/llama-3.1-8b-instant` into the provider and the model the price table knows. */
export function splitModelId(
  model: string,
  provider?: string,
): { provider: string | undefined; model: string } {
  const slash = model.indexOf("/");
  if (provider === undefined && slash > 0 && !model.startsWith("accounts/")) {
    return { provider: model.slice(0, slash), model: model.slice(slash + 1) };
  }
  if (provider !== undefined && model.startsWith(`${provider}/`))
    return { provider, model: model.slice(provider.length + 1) };
  return { provider, model };
}

/**
 * The cost of a call in USD. Custom prices (by full or bare model id) win; otherwise the bundled table of
 * `@pydantic/genai-prices` (never its run-time download). Each token is priced once: cache reads and writes at
 * their own prices, the rest of the input at the input price. An unknown model gives `undefined`, never a guess.
 */
export function computeCost(
  model: string | undefined,
  usage: TokenUsage,
  options: { provider?: string | undefined; customPrices?: Record<string, ModelPrices>; at?: Date } = {},
): CostResult | undefined {
  if (!model || (usage.promptTokens === undefined && usage.completionTokens === undefined)) return undefined;
  const split = splitModelId(model, options.provider);
  const custom = options.customPrices?.[model] ?? options.customPrices?.[split.model];
  if (custom) return customCost(custom, usage);
  const priceUsage = {
    input_tokens: usage.promptTokens ?? 0,
    output_tokens: usage.completionTokens ?? 0,
    cache_read_tokens: usage.cacheReadTokens ?? 0,
    cache_write_tokens: usage.cacheWriteTokens ?? 0,
  };
  const providerId = split.provider ? (priceProviderIds[split.provider] ?? split.provider) : undefined;
  const attempts: [string, string | undefined][] = [[split.model, providerId]];
  // Aggregators list models by their full id ("openai/gpt-4o" on openrouter).
  if (providerId !== undefined && model !== split.model) attempts.push([model, providerId]);
  for (const [modelId, provider] of attempts) {
    let result: ReturnType<typeof calcPrice> = null;
    try {
      result = calcPrice(priceUsage, modelId, {
        ...(provider ? { providerId: provider } : {}),
        ...(options.at ? { timestamp: options.at } : {}),
      });
    } catch {
      result = null;
    }
    if (result) {
      return {
        cost: result.total_price,
        promptUnitPrice: unitPrice(result.model_price.input_mtok),
        completionUnitPrice: unitPrice(result.model_price.output_mtok),
      };
    }
  }
  return undefined;
}
