import { startRedis, type TestRedis } from "@keyway/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearOfMinuteEnd, type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

// $0.50 a completion token, input free: "Echo: hi" (2 tokens, with max_tokens: 2) costs exactly $1, and so is
// its estimate.
const prices = { "groq/llama-3.1-8b-instant": { input: 0, output: 500_000 } };
const ask = (customer: Record<string, unknown>) => ({
  model: "groq/llama-3.1-8b-instant",
  max_tokens: 2,
  messages: [{ role: "user" as const, content: "hi" }],
  customer_params: customer,
});

let redis: TestRedis;
const fixtures: GatewayFixture[] = [];
beforeAll(async () => {
  redis = await startRedis();
}, 20_000);
afterAll(() => redis?.stop());
afterEach(async () => {
  for (const fx of fixtures.splice(0)) {
    await fx.gateway.close();
    await fx.close();
  }
});

async function fixture(extra: Parameters<typeof gatewayFixture>[0] = {}): Promise<GatewayFixture> {
  const fx = await gatewayFixture({ prices, ...(extra as object) });
  fixtures.push(fx);
  return fx;
}

/** Fires the calls at once; how many were answered and refused, and what the answered ones cost. */
async function burst(
  calls: number,
  send: (index: number) => Promise<unknown>,
): Promise<{ passed: number; refused: number }> {
  const outcomes = await Promise.all(
    Array.from({ length: calls }, (_, i) =>
      send(i).then(
        () => "passed",
        (error: { status?: number }) => error.status,
      ),
    ),
  );
  expect(
    outcomes.every((outcome) => outcome === "passed" || outcome === 429),
    outcomes.join(),
  ).toBe(true);
  return {
    passed: outcomes.filter((outcome) => outcome === "passed").length,
    refused: outcomes.filter((outcome) => outcome === 429).length,
  };
}

const spent = (...fxs: GatewayFixture[]) =>
  fxs.flatMap((fx) => fx.sink.logs).reduce((sum, log) => sum + (log.cost ?? 0), 0);

describe("budgets and rate limits hold under concurrency and against the caller", () => {
  it("budget $10, 50 concurrent $1 calls: 10 pass", async () => {
    const fx = await fixture({ budgets: { ten: { total_budget: 10 } } });
    const { passed, refused } = await burst(50, () =>
      fx.client.chat.completions.create(ask({ customer_identifier: "ten" }) as never),
    );
    expect(passed).toBe(10);
    expect(refused).toBe(40);
    expect(spent(fx)).toBeCloseTo(10, 6);
  });

  it("two instances on Redis, budget $3, 20 concurrent: 3 pass", async () => {
    const budgets = { three: { total_budget: 3 } };
    const a = await fixture({ redis: redis.url, budgets });
    const b = await fixture({ redis: redis.url, budgets });
    const { passed } = await burst(20, (i) =>
      (i % 2 ? a : b).client.chat.completions.create(ask({ customer_identifier: "three" }) as never),
    );
    expect(passed).toBe(3);
    expect(spent(a, b)).toBeCloseTo(3, 6);
  });

  it("a configured budget is a ceiling: a request's total_budget may lower it, never raise it", async () => {
    const fx = await fixture({ budgets: { capped: { total_budget: 1 } } });
    await fx.client.chat.completions.create(ask({ customer_identifier: "capped" }) as never);
    const raised = await fx.client.chat.completions
      .create(ask({ customer_identifier: "capped", total_budget: 1e9 }) as never)
      .catch((error: unknown) => error);
    expect(raised).toMatchObject({ status: 429, code: "budget_exceeded" });
    const lowered = await fixture({ budgets: { roomy: { total_budget: 100 } } });
    await lowered.client.chat.completions.create(ask({ customer_identifier: "roomy" }) as never);
    const refused = await lowered.client.chat.completions
      .create(ask({ customer_identifier: "roomy", total_budget: 0.5 }) as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "budget_exceeded" });
  });

  it("tokensPerMinute 100 under 50 concurrent calls: no more than one call's estimate over", async () => {
    await clearOfMinuteEnd();
    const fx = await fixture({ rateLimits: { perCustomer: { tokensPerMinute: 100 } } });
    const { passed, refused } = await burst(50, () =>
      fx.client.chat.completions.create(ask({ customer_identifier: `tpm-${process.pid}` }) as never),
    );
    const tokens = fx.sink.logs.reduce(
      (sum, log) => sum + (log.prompt_tokens ?? 0) + (log.completion_tokens ?? 0),
      0,
    );
    // The estimate of one call here: its messages at four characters a token, and max_tokens.
    const estimate = Math.ceil(JSON.stringify(ask({}).messages).length / 4) + 2;
    expect(passed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(100 + estimate);
  });

  it("a refused or failed call gives its reservation back", async () => {
    const fx = await fixture({ budgets: { giveback: { total_budget: 2 } } });
    fx.emulator.fault({ status: 400, times: 5 });
    for (let i = 0; i < 5; i++)
      await fx.client.chat.completions
        .create(ask({ customer_identifier: "giveback" }) as never)
        .catch(() => undefined);
    // Nothing was spent: both dollars are still there.
    const { passed } = await burst(2, () =>
      fx.client.chat.completions.create(ask({ customer_identifier: "giveback" }) as never),
    );
    expect(passed).toBe(2);
  });
});
