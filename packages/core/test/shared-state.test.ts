import { startRedis, type TestRedis } from "@keyway/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearOfMinuteEnd, type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

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

/** Two gateway instances, each with its own provider emulator, sharing one Redis. */
async function twoInstances(): Promise<[GatewayFixture, GatewayFixture]> {
  const a = await gatewayFixture({ redis: redis.url });
  // The second one finds Redis the way `keyway serve` does: from the environment.
  const b = await gatewayFixture({ env: { KEYWAY_REDIS_URL: redis.url } });
  fixtures.push(a, b);
  return [a, b];
}

const ask = (extra: Record<string, unknown> = {}) => ({
  model: "groq/llama-3.1-8b-instant",
  messages: [{ role: "user" as const, content: `hi ${Math.random()}` }],
  ...extra,
});

describe("gateway state in Redis, shared by instances", () => {
  it("a cache entry written by one instance is a hit on the other", async () => {
    const [a, b] = await twoInstances();
    const request = ask({ cache_enabled: true, cache_ttl: 60 });
    const first = await a.client.chat.completions.create(request as never);
    const second = await b.client.chat.completions.create(request as never);
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect(a.emulator.requests).toHaveLength(1);
    expect(b.emulator.requests).toHaveLength(0);
    expect(b.sink.logs[0]).toMatchObject({ cache_hit: true, cost: 0 });
  });

  it("a customer over budget on one instance is refused by the other, before any upstream call", async () => {
    const [a, b] = await twoInstances();
    const customer = { customer_identifier: `shared-${Date.now()}`, total_budget: 0.0000001 };
    await a.client.chat.completions.create(ask({ customer_params: customer }) as never);
    expect(a.sink.logs[0]?.cost).toBeGreaterThan(customer.total_budget);
    const refused = await b.client.chat.completions
      .create(ask({ customer_params: customer }) as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "budget_exceeded" });
    expect(b.emulator.requests).toHaveLength(0);
  });

  it("spend counted at once on both instances all lands (atomic adds)", async () => {
    const [a, b] = await twoInstances();
    const customer = { customer_identifier: `concurrent-${Date.now()}`, total_budget: 1 };
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).client.chat.completions.create(ask({ customer_params: customer }) as never),
      ),
    );
    const logged = [...a.sink.logs, ...b.sink.logs].reduce((sum, log) => sum + (log.cost ?? 0), 0);
    // With the budget set just under what was spent, the next call on either instance is refused.
    const under = { ...customer, total_budget: logged * 0.999 };
    const refused = await a.client.chat.completions
      .create(ask({ customer_params: under }) as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "budget_exceeded" });
    const allowed = await b.client.chat.completions.create(
      ask({ customer_params: { ...customer, total_budget: logged * 1.001 } }) as never,
    );
    expect(allowed.choices).toHaveLength(1);
  });

  it("a rate limit holds across both instances", async () => {
    await clearOfMinuteEnd();
    const limits = { rateLimits: { perCustomer: { requestsPerMinute: 3 } } };
    const a = await gatewayFixture({ redis: redis.url, ...limits });
    const b = await gatewayFixture({ redis: redis.url, ...limits });
    fixtures.push(a, b);
    const customer = `limited-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).client.chat.completions
          .create(ask({ customer_identifier: customer }) as never)
          .then(() => "ok")
          .catch((error: { code?: string }) => error.code),
      ),
    );
    expect(results.filter((result) => result === "ok")).toHaveLength(3);
    expect(results.filter((result) => result === "rate_limit_exceeded")).toHaveLength(3);
    expect(a.emulator.requests.length + b.emulator.requests.length).toBe(3);
  });

  it("a key cooled down by one instance is skipped by the other", async () => {
    const pool = (emulator: { url: string }) => ({
      providers: {
        groq: {
          baseURL: `${emulator.url}/openai/v1`,
          keys: [{ apiKey: "gsk-revoked" }, { apiKey: "gsk-good" }],
        },
      },
      redis: redis.url,
      random: () => 0, // the first key, unless it is cooling down
    });
    const a = await gatewayFixture(pool, { validKeys: ["gsk-good"] });
    const b = await gatewayFixture(pool, { validKeys: ["gsk-good"] });
    fixtures.push(a, b);
    await a.client.chat.completions.create(ask() as never);
    expect(a.emulator.requests.map((request) => request.apiKey)).toEqual(["gsk-revoked", "gsk-good"]);
    await b.client.chat.completions.create(ask() as never);
    expect(b.emulator.requests.map((request) => request.apiKey)).toEqual(["gsk-good"]);
    expect(b.gateway.keyHealth().find((key) => !key.healthy)?.cooldownUntil).toBeGreaterThan(Date.now());
  });

  it("a Redis that does not answer: budgets fail closed with a typed 503, the cache fails open", async () => {
    const down = await gatewayFixture({ redis: "redis://127.0.0.1:1" });
    fixtures.push(down);
    const refused = await down.client.chat.completions
      .create(ask({ customer_params: { customer_identifier: "x", total_budget: 5 } }) as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 503, code: "gateway_state_unavailable" });
    expect(down.emulator.requests).toHaveLength(0);
    const cached = await down.client.chat.completions.create(ask({ cache_enabled: true }) as never);
    expect(cached.choices[0]?.message.content).toMatch(/^Echo: hi/);
  });
});
