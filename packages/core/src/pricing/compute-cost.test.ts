import { describe, expect, it } from "vitest";
import { computeCost } from "./compute-cost.js";

describe("computeCost", () => {
  it("prices known models from the bundled table, with and without provider prefixes", () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 1_000_000 };
    const bare = computeCost("gpt-4o", usage);
    expect(bare?.cost).toBeCloseTo(12.5, 6); // $2.50 in + $10 out per 1M
    expect(computeCost("openai/gpt-4o", usage)?.cost).toBeCloseTo(12.5, 6);
    expect(computeCost("gpt-4o", usage, { provider: "openai" })?.cost).toBeCloseTo(12.5, 6);
    expect(computeCost("groq/llama-3.1-8b-instant", usage)?.cost).toBeCloseTo(0.13, 6);
    expect(
      computeCost("accounts/fireworks/models/llama-v3p1-8b-instruct", usage, { provider: "fireworks" })?.cost,
    ).toBeCloseTo(0.4, 6);
    expect(computeCost("togetherai/meta-llama/Llama-3.3-70B-Instruct-Turbo", usage)?.cost).toBeGreaterThan(0);
    expect(bare).toMatchObject({ promptUnitPrice: 2.5, completionUnitPrice: 10 });
  });

  it("prices cache reads once, at their own price", () => {
    // 1M input of which 0.5M cache reads: 0.5M × $2.50 + 0.5M × $1.25 = $1.875.
    const cost = computeCost("gpt-4o", {
      promptTokens: 1_000_000,
      completionTokens: 0,
      cacheReadTokens: 500_000,
    });
    expect(cost?.cost).toBeCloseTo(1.875, 6);
    // Anthropic (below its 200k long-context tier): 100k input incl. 50k cache reads at $0.30/M and 25k writes
    // at $3.75/M, the other 25k at $3/M.
    const claude = computeCost("claude-sonnet-4-5", {
      promptTokens: 100_000,
      completionTokens: 0,
      cacheReadTokens: 50_000,
      cacheWriteTokens: 25_000,
    });
    expect(claude?.cost).toBeCloseTo((25_000 * 3 + 50_000 * 0.3 + 25_000 * 3.75) / 1_000_000, 9);
  });

  it("lets custom prices win, by full or bare id", () => {
    const customPrices = { "my-llama": { input: 1, output: 2, cacheRead: 0.5 } };
    expect(
      computeCost(
        "my-vllm/my-llama",
        { promptTokens: 1_000_000, completionTokens: 1_000_000, cacheReadTokens: 1_000_000 },
        { customPrices },
      )?.cost,
    ).toBeCloseTo(2.5, 6);
    expect(
      computeCost(
        "gpt-4o",
        { promptTokens: 1_000_000, completionTokens: 0 },
        { customPrices: { "gpt-4o": { input: 9, output: 9 } } },
      )?.cost,
    ).toBeCloseTo(9, 6);
  });

  it("leaves the cost empty for unknown models and missing usage, never guessing", () => {
    expect(computeCost("emulator/echo-1", { promptTokens: 10, completionTokens: 10 })).toBeUndefined();
    expect(computeCost("totally-unknown-model", { promptTokens: 10, completionTokens: 10 })).toBeUndefined();
    expect(
      computeCost("groq/gpt-4o-not-on-groq", { promptTokens: 10, completionTokens: 10 }),
    ).toBeUndefined();
    expect(computeCost("gpt-4o", {})).toBeUndefined();
  });
});

describe("computeCost against the table's own calcPrice", () => {
  it("agrees to the micro-dollar, tiers and cache included, on the cached path", async () => {
    const { calcPrice } = await import("@pydantic/genai-prices");
    const cases: [string, string, Record<string, number>][] = [
      ["gpt-4o", "openai", { input_tokens: 1_000_000, output_tokens: 200_000, cache_read_tokens: 300_000 }],
      ["gpt-4o-mini", "openai", { input_tokens: 1234, output_tokens: 567 }],
      [
        "claude-sonnet-4-5",
        "anthropic",
        {
          input_tokens: 100_000,
          output_tokens: 2_000,
          cache_read_tokens: 50_000,
          cache_write_tokens: 25_000,
        },
      ],
      ["claude-sonnet-4-5", "anthropic", { input_tokens: 1_000_000, output_tokens: 2_000 }],
      ["llama-3.1-8b-instant", "groq", { input_tokens: 5_000, output_tokens: 5_000 }],
      ["deepseek-chat", "deepseek", { input_tokens: 10_000, output_tokens: 1_000, cache_read_tokens: 4_000 }],
    ];
    for (const [model, provider, usage] of cases) {
      const expected = calcPrice(usage, model, { providerId: provider })?.total_price;
      for (let i = 0; i < 2; i++) {
        const cost = computeCost(
          model,
          {
            promptTokens: usage.input_tokens,
            completionTokens: usage.output_tokens,
            cacheReadTokens: usage.cache_read_tokens,
            cacheWriteTokens: usage.cache_write_tokens,
          },
          { provider },
        );
        expect(cost?.cost, `${model} ${JSON.stringify(usage)}`).toBeCloseTo(expected ?? Number.NaN, 9);
      }
    }
  });
});
