import { startRedis, type TestRedis } from "@keyway/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServeOptions } from "../src/config/server-config.js";
import { API_KEY, type ServerFixture, serverFixture } from "./server-fixture.js";

let redis: TestRedis;
let one: ServerFixture;
let two: ServerFixture;
beforeAll(async () => {
  redis = await startRedis();
  one = await serverFixture({ redis: redis.url, budgets: { "team-a": { total_budget: 0.0000001 } } });
  two = await serverFixture({ redis: redis.url, budgets: { "team-a": { total_budget: 0.0000001 } } });
}, 30_000);
afterAll(async () => {
  await one?.close();
  await two?.close();
  await redis?.stop();
});

const client = (fx: ServerFixture) =>
  new OpenAI({ apiKey: API_KEY, baseURL: `${fx.server.url}/v1`, maxRetries: 0 });

describe("two keyway serve instances on one Redis", () => {
  it("takes Redis from --redis, KEYWAY_REDIS_URL or the config file, in that order", () => {
    expect(
      resolveServeOptions({ redis: "redis://flag:1" }, { KEYWAY_REDIS_URL: "redis://env:1" }).gateway,
    ).toMatchObject({ redis: "redis://flag:1" });
    expect(resolveServeOptions({}, { KEYWAY_REDIS_URL: "redis://env:1" }).gateway).toMatchObject({
      redis: "redis://env:1",
    });
  });

  it("share the cache and a configured customer budget", async () => {
    const ask = {
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user" as const, content: "shared between servers" }],
    };
    await client(one).chat.completions.create({ ...ask, cache_enabled: true } as never);
    const hit = await client(two)
      .chat.completions.create({ ...ask, cache_enabled: true } as never)
      .withResponse();
    expect(hit.response.headers.get("x-keyway-cache")).toBe("hit");
    expect(two.emulator.requests).toHaveLength(0);

    await client(one).chat.completions.create({ ...ask, customer_identifier: "team-a" } as never);
    const refused = await client(two)
      .chat.completions.create({ ...ask, customer_identifier: "team-a" } as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "budget_exceeded" });
    expect(two.emulator.requests).toHaveLength(0);
  });
});
