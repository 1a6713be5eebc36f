import type { ModelPrices } from "../../pricing/compute-cost.js";
import { computeCost } from "../../pricing/compute-cost.js";
import type { CallEstimate } from "./governance.js";

/** Completion tokens assumed for a call that sets no `max_tokens`: a typical answer, not the model's maximum. */
const DEFAULT_COMPLETION_TOKENS = 256;

/**
 * What a call is expected to spend before it runs, for budgets and token limits to reserve: the prompt at about
 * four characters a token, the completion at the request's `max_tokens` (or a typical answer), priced as its log
 * will be. An estimate: the call is settled to its logged cost and tokens when it ends.
 */
export function estimateCall(
  request: Record<string, unknown>,
  prices: Record<string, ModelPrices> | undefined,
): CallEstimate {
  const prompt = request.messages ?? request.input ?? "";
  const promptTokens = Math.ceil((typeof prompt === "string" ? prompt : JSON.stringify(prompt)).length / 4);
  const embeddings = request.messages === undefined && request.input !== undefined;
  const limit = request.max_tokens ?? request.max_completion_tokens;
  const completionTokens = embeddings
    ? 0
    : typeof limit === "number" && limit > 0
      ? limit
      : DEFAULT_COMPLETION_TOKENS;
  const model = typeof request.model === "string" ? request.model : undefined;
  const cost = computeCost(model, { promptTokens, completionTokens }, prices ? { customPrices: prices } : {});
  return { cost: cost?.cost ?? 0, tokens: promptTokens + completionTokens };
}
