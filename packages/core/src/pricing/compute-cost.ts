import { calcPrice, findProvider } from "@pydantic/genai-prices";

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
  gemini: "google",
  // Foundry's model inference bills at Azure's prices.
  azure_ai: "azure",
  azure_deepseek: "azure",
  bedrock: "aws",
  aws_bedrock: "aws",
  vertex_ai: "google",
};

/** Whether the bundled price table has a table for a provider (else its calls are logged without a cost). */
export const hasPriceTable = (providerId: string): boolean =>
  findProvider({ providerId: priceProviderIds[providerId] ?? providerId }) !== undefined;

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
  const providerId = split.provider ? (priceProviderIds[split.provider] ?? split.provider) : undefined;
  const prices = lookupPrices(split.model, model, providerId, options.at);
  if (!prices) return undefined;
  const inputTokens = usage.promptTokens ?? 0;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const at = (key: string, fallback?: string) =>
    tierPrice(prices[key] ?? (fallback ? prices[fallback] : undefined), inputTokens);
  const cost =
    (Math.max(0, inputTokens - cacheRead - cacheWrite) * at("input_mtok") +
      cacheRead * at("cache_read_mtok", "input_mtok") +
      cacheWrite * at("cache_write_mtok", "input_mtok") +
      (usage.completionTokens ?? 0) * at("output_mtok")) /
    1_000_000;
  return {
    cost,
    promptUnitPrice: unitPrice(prices.input_mtok),
    completionUnitPrice: unitPrice(prices.output_mtok),
  };
}

type TablePrices = Record<string, unknown>;
// Model → the table's price entry, resolved once: matching a model against the table costs ~20 µs a call, too much
// for every log. Bounded; entries older than an hour are looked up again (prices can change by date).
const priceCache = new Map<string, { prices: TablePrices | null; at: number }>();
const PRICE_CACHE_LIMIT = 2_000;
const PRICE_CACHE_MS = 3_600_000;

function lookupPrices(
  bareModel: string,
  fullModel: string,
  providerId: string | undefined,
  when: Date | undefined,
): TablePrices | null {
  const key = `${providerId ?? ""}\u0000${fullModel}`;
  const now = Date.now();
  const cached = when ? undefined : priceCache.get(key);
  if (cached && now - cached.at < PRICE_CACHE_MS) return cached.prices;
  const attempts: [string, string | undefined][] = [[bareModel, providerId]];
  // Aggregators list models by their full id ("openai/gpt-4o" on openrouter).
  if (providerId !== undefined && fullModel !== bareModel) attempts.push([fullModel, providerId]);
  let prices: TablePrices | null = null;
  for (const [modelId, provider] of attempts) {
    try {
      const result = calcPrice({ input_tokens: 1, output_tokens: 1 }, modelId, {
        ...(provider ? { providerId: provider } : {}),
        ...(when ? { timestamp: when } : {}),
      });
      if (result) {
        prices = result.model_price as TablePrices;
        break;
      }
    } catch {}
  }
  if (!when) {
    if (priceCache.size >= PRICE_CACHE_LIMIT) priceCache.clear();
    priceCache.set(key, { prices, at: now });
  }
  return prices;
}

/** A price per 1M tokens; tiered prices (long-context rates) apply the tier the request's input reaches. */
function tierPrice(value: unknown, inputTokens: number): number {
  if (typeof value === "number") return value;
  if (typeof value !== "object" || value === null) return 0;
  const tiered = value as { base?: number; tiers?: { start: number; price: number }[] };
  let price = tiered.base ?? 0;
  for (const tier of tiered.tiers ?? []) if (inputTokens > tier.start) price = tier.price;
  return price;
}
