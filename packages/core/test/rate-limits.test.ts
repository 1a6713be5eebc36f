import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { createGateway } from "../src/gateway/create-gateway.js";
import { clearOfMinuteEnd, type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const ask = (customer: string) => ({
  model: "groq/llama-3.1-8b-instant",
  messages: [{ role: "user" as const, content: "hi" }],
  customer_identifier: customer,
});

describe("rate limits from config", () => {
  it("refuses a customer past requests/minute with 429 and Retry-After, before any upstream call", async () => {
    await clearOfMinuteEnd();
    fx = await gatewayFixture({ rateLimits: { perCustomer: { requestsPerMinute: 2 } } });
    const { client, emulator } = fx;
    await client.chat.completions.create(ask("busy") as never);
    await client.chat.completions.create(ask("busy") as never);
    const refused = (await client.chat.completions
      .create(ask("busy") as never)
      .catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    const retryAfter = Number(refused.headers?.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(emulator.requests).toHaveLength(2);
    // Another customer has its own count; a call without a customer is not limited per customer.
    await client.chat.completions.create(ask("quiet") as never);
    const { customer_identifier: _, ...anonymous } = ask("none");
    await client.chat.completions.create(anonymous as never);
    expect(emulator.requests).toHaveLength(4);
  });

  it("refuses a customer who has used its tokens/minute, counted from the logs", async () => {
    await clearOfMinuteEnd();
    fx = await gatewayFixture({ rateLimits: { perCustomer: { tokensPerMinute: 5 } } });
    const { client, emulator, sink } = fx;
    await client.chat.completions.create(ask("talker") as never);
    await client.chat.completions.create(ask("talker") as never);
    const used = sink.logs.reduce(
      (sum, log) => sum + (log.prompt_tokens ?? 0) + (log.completion_tokens ?? 0),
      0,
    );
    expect(used).toBeGreaterThanOrEqual(5);
    const refused = await client.chat.completions
      .create(ask("talker") as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(emulator.requests).toHaveLength(2);
  });

  it("limits per API key the caller presents, and never keeps the key itself", async () => {
    await clearOfMinuteEnd();
    fx = await gatewayFixture({ rateLimits: { perApiKey: { requestsPerMinute: 1 } } });
    const { gateway, emulator, sink } = fx;
    const as = (key: string) =>
      new OpenAI({ apiKey: key, baseURL: "http://keyway.local/v1", fetch: gateway.fetch, maxRetries: 0 });
    await as("team-key-one").chat.completions.create(ask("a") as never);
    await as("team-key-two").chat.completions.create(ask("a") as never);
    const refused = await as("team-key-one")
      .chat.completions.create(ask("b") as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(emulator.requests).toHaveLength(2);
    expect(JSON.stringify(sink.logs)).not.toContain("team-key-");
  });

  it("rejects limits that are not whole numbers of 1 or more", () => {
    for (const bad of [0, -1, 1.5, "10"])
      expect(() =>
        createGateway({ env: {}, rateLimits: { perCustomer: { requestsPerMinute: bad as number } } }),
      ).toThrow(/rateLimits\.perCustomer\.requestsPerMinute/);
  });
});
