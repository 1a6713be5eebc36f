import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const ask = (extra: Record<string, unknown> = {}) => ({
  model: "groq/llama-3.1-8b-instant",
  messages: [{ role: "user" as const, content: "hi" }],
  ...extra,
});

describe("Respan's gateway controls: acted on, or refused — never accepted and ignored", () => {
  it("acts on a models pool, wherever it is sent; a model beside it wins; an empty one asks for nothing", async () => {
    fx = await gatewayFixture({ random: () => 0.99 });
    const { client, emulator, sink } = fx;
    const pool = ["groq/llama-3.1-8b-instant", "fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct"];
    const { model: _, ...noModel } = ask();
    for (const body of [
      { ...noModel, models: pool },
      { ...noModel, respan_params: { models: pool } },
    ])
      await client.chat.completions.create(body as never);
    // random 0.99 picks the pool's last model; the first stays its fallback.
    expect(sink.logs.map((log) => log.provider_id)).toEqual(["fireworks", "fireworks"]);
    // The chosen model failing, the pool's other follows it.
    emulator.fault({ match: { model: "accounts/fireworks/models/llama-v3p1-8b-instruct" }, status: 503 });
    await client.chat.completions.create({
      ...noModel,
      models: pool,
      retry_params: { retry_enabled: false },
    } as never);
    expect(sink.logs.at(-1)).toMatchObject({ provider_id: "groq", model: pool[0] });
    const header = Buffer.from(JSON.stringify({ models: pool })).toString("base64");
    const viaHeader = await fx.gateway.fetch("http://keyway.local/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-data-respan-params": header },
      body: JSON.stringify(ask()),
    });
    expect(viaHeader.status).toBe(200);
    expect(sink.logs.at(-1)?.model).toBe("groq/llama-3.1-8b-instant"); // the model beside the pool wins
    const bad = await client.chat.completions
      .create({ ...noModel, models: ["x", 3] } as never)
      .catch((error: unknown) => error);
    expect(bad).toMatchObject({ status: 400, param: "models" });
    const nothingAsked = await client.chat.completions.create(
      ask({ cache_enabled: false, request_breakdown: false, models: [], disable_fallback: false }) as never,
    );
    expect(nothingAsked.choices[0]?.message.content).toBe("Echo: hi");
  });

  it("acts on the cache: a hit answers without the provider, logged with cache_hit and no cost, streamed or not", async () => {
    fx = await gatewayFixture();
    const { gateway, emulator, sink } = fx;
    const post = (body: Record<string, unknown>) =>
      gateway.fetch("http://keyway.local/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const cached = ask({ cache_enabled: true, cache_ttl: 60 });
    const first = await post(cached);
    expect(first.headers.get("x-keyway-cache")).toBe("miss");
    const second = await post(cached);
    expect(second.headers.get("x-keyway-cache")).toBe("hit");
    expect(
      ((await second.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBe("Echo: hi");
    expect(emulator.requests).toHaveLength(1);
    expect(sink.logs.map((log) => [log.cache_hit ?? false, log.cost === 0])).toEqual([
      [false, false],
      [true, true],
    ]);
    // A stream of the same request replays the cached completion.
    const streamed = await post({ ...cached, stream: true });
    expect(streamed.headers.get("x-keyway-cache")).toBe("hit");
    const text = await streamed.text();
    expect(text).toContain('"content":"Echo: hi"');
    expect(text.trim().endsWith("data: [DONE]")).toBe(true);
    expect(emulator.requests).toHaveLength(1);
    // Any other setting splits entries, even one the cache has never heard of.
    for (const extra of [{ temperature: 0.3 }, { reasoning_effort: "high" }]) {
      const differs = await post({ ...cached, ...extra });
      expect(differs.headers.get("x-keyway-cache"), JSON.stringify(extra)).toBe("miss");
    }
    // Per customer, and without a log when asked.
    const perCustomer = (customer: string) =>
      ask({
        cache_enabled: true,
        cache_options: { cache_by_customer: true, omit_log: true },
        customer_identifier: customer,
      });
    await post(perCustomer("a"));
    const other = await post(perCustomer("b"));
    expect(other.headers.get("x-keyway-cache")).toBe("miss");
    const again = await post(perCustomer("a"));
    expect(again.headers.get("x-keyway-cache")).toBe("hit");
    expect(sink.logs.filter((log) => log.cache_hit)).toHaveLength(2);
    // Bad values are refused, wherever they are sent.
    for (const [name, value] of [
      ["cache_ttl", "soon"],
      ["cache_ttl", -1],
      ["cache_options", { forever: true }],
      ["cache_enabled", "yes"],
    ] as const) {
      const refused = await post(ask({ respan_params: { [name]: value } }));
      expect(refused.status, name).toBe(400);
      expect(((await refused.json()) as { error: { param: string } }).error.param).toBe(name);
    }
  });

  it("acts on customer budgets: spend is the logged cost; over budget is a 429 before any upstream call", async () => {
    fx = await gatewayFixture({ budgets: { "config-customer": { total_budget: 0.0000001 } } });
    const { client, emulator, sink } = fx;
    const budgeted = (customer: Record<string, unknown>) => ask({ customer_params: customer });
    const monthly = {
      customer_identifier: "budget-user",
      budget_duration: "monthly",
      period_budget: 0.0000001,
    };
    await client.chat.completions.create(budgeted(monthly) as never); // spends more than the budget
    expect(sink.logs[0]?.cost).toBeGreaterThan(0.0000001);
    const refused = await client.chat.completions
      .create(budgeted(monthly) as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "budget_exceeded" });
    expect(emulator.requests).toHaveLength(1);
    // Another customer is not affected; a budget from config applies without one in the request.
    await client.chat.completions.create(
      budgeted({ customer_identifier: "someone-else", total_budget: 1 }) as never,
    );
    await client.chat.completions.create(ask({ customer_identifier: "config-customer" }) as never);
    const configured = await client.chat.completions
      .create(ask({ customer_identifier: "config-customer" }) as never)
      .catch((error: unknown) => error);
    expect(configured).toMatchObject({ status: 429, code: "budget_exceeded" });
    const bad = await client.chat.completions
      .create(budgeted({ customer_identifier: "x", budget_duration: "hourly", period_budget: 1 }) as never)
      .catch((error: unknown) => error);
    expect(bad).toMatchObject({ status: 400, param: "customer_params.budget_duration" });
  });

  it("acts on request_breakdown: tokens, cost and latency in the answer, a last chunk in a stream", async () => {
    fx = await gatewayFixture();
    const { client } = fx;
    const completion = (await client.chat.completions.create(
      ask({ request_breakdown: true }) as never,
    )) as unknown as {
      request_breakdown: Record<string, unknown>;
    };
    expect(completion.request_breakdown).toMatchObject({
      model: "groq/llama-3.1-8b-instant",
      provider_id: "groq",
      completion_tokens: 2,
      attempts: 1,
      status_code: 200,
    });
    expect(completion.request_breakdown.cost).toBeGreaterThan(0);
    expect(completion.request_breakdown.latency).toBeGreaterThanOrEqual(0);
    const stream = await client.chat.completions.create({
      ...ask({ request_breakdown: true }),
      stream: true,
    } as never);
    const chunks: { id: string; request_breakdown?: Record<string, unknown> }[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<{ id: string }>) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.id).toBe("request_breakdown");
    expect(last?.request_breakdown).toMatchObject({
      completion_tokens: 2,
      model: "groq/llama-3.1-8b-instant",
    });
    expect(last?.request_breakdown?.time_to_first_token).toBeGreaterThanOrEqual(0);
    const plain = await client.chat.completions.create(ask() as never);
    expect(plain).not.toHaveProperty("request_breakdown");
  });

  it("acts on load_balance_group: weighted choice when no model is named, the rest as fallbacks, per-model credentials", async () => {
    fx = await gatewayFixture();
    const { client, emulator, sink } = fx;
    const group = {
      group_id: "g1",
      models: [
        { model: "groq/llama-3.1-8b-instant", weight: 3, credentials: { api_key: "gsk-from-group" } },
        { model: "anthropic/claude-sonnet-4-5", weight: 1 },
      ],
    };
    const unnamed = { messages: [{ role: "user", content: "hi" }], load_balance_group: group };
    for (let i = 0; i < 60; i++) await client.chat.completions.create(unnamed as never);
    const byModel = (model: string) => sink.logs.filter((log) => log.model === model).length;
    expect(byModel("groq/llama-3.1-8b-instant")).toBeGreaterThan(byModel("anthropic/claude-sonnet-4-5"));
    expect(byModel("anthropic/claude-sonnet-4-5")).toBeGreaterThan(0);
    expect(new Set(emulator.requestsWithKey("gsk-from-group").map((request) => request.format))).toEqual(
      new Set(["openai-chat"]),
    );
    // A model named beside the group wins; the group's credentials still apply to it.
    sink.clear();
    emulator.reset();
    await client.chat.completions.create({ ...unnamed, model: "groq/llama-3.1-8b-instant" } as never);
    expect(emulator.requests.map((request) => request.apiKey)).toEqual(["gsk-from-group"]);
    // The chosen model failing, the group's others follow it.
    emulator.reset();
    emulator.fault({ match: { model: "llama-3.1-8b-instant" }, status: 503 });
    for (let i = 0; i < 5; i++)
      await client.chat.completions.create({ ...unnamed, retry_params: { retry_enabled: false } } as never);
    expect(sink.logs.slice(-5).every((log) => log.model === "anthropic/claude-sonnet-4-5")).toBe(true);
    const bad = await client.chat.completions
      .create({ ...unnamed, load_balance_group: { models: [{ model: "x", weight: 0 }] } } as never)
      .catch((error: unknown) => error);
    expect(bad).toMatchObject({ status: 400, param: "load_balance_group.models.0.weight" });
  });

  it("acts on exclude_models and exclude_providers across the model and its fallbacks", async () => {
    fx = await gatewayFixture();
    const { gateway, emulator, sink } = fx;
    emulator.fault({ match: { model: "llama-3.1-8b-instant" }, status: 503 });
    const completion = await gateway.chat(
      ask({
        fallback_models: [
          "fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct",
          "anthropic/claude-sonnet-4-5",
        ],
        exclude_providers: ["fireworks"],
        retry_params: { retry_enabled: false },
      }),
    );
    expect(completion.choices[0]?.message.content).toBe("Echo: hi");
    expect(emulator.requests.map((request) => request.format)).toEqual(["openai-chat", "anthropic-messages"]);
    expect(sink.logs[0]).toMatchObject({ provider_id: "anthropic", model: "anthropic/claude-sonnet-4-5" });
    emulator.reset();
    await gateway.chat(
      ask({
        fallback_models: ["anthropic/claude-sonnet-4-5"],
        exclude_models: ["groq/llama-3.1-8b-instant"],
      }),
    );
    expect(emulator.requests.map((request) => request.format)).toEqual(["anthropic-messages"]);
    await expect(gateway.chat(ask({ exclude_models: ["groq/llama-3.1-8b-instant"] }))).rejects.toMatchObject({
      statusCode: 400,
      field: "exclude_models",
    });
    await expect(gateway.chat(ask({ exclude_providers: ["groq"] }))).rejects.toMatchObject({
      statusCode: 400,
      code: "provider_excluded",
    });
  });
});
