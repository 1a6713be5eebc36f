import Anthropic from "@anthropic-ai/sdk";
import { parseScrape } from "@keyway/testing";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayMetrics } from "../src/metrics/gateway-metrics.js";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.gateway.close();
  await fx?.close();
  fx = undefined;
});

describe("GatewayMetrics: Prometheus metrics of the core gateway", () => {
  it("counts known traffic through every face with exact labels, and parses as Prometheus text", async () => {
    const metrics = new GatewayMetrics({ labels: ["customer"] });
    fx = await gatewayFixture((emulator) => ({
      metrics,
      random: () => 0,
      providers: {
        groq: {
          baseURL: `${emulator.url}/openai/v1`,
          keys: [{ apiKey: "gsk-pool-a" }, { apiKey: "gsk-pool-b" }],
        },
        openai: { baseURL: emulator.baseURL, apiKey: "sk-openai-pool" },
        anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-pool" },
        google: { baseURL: `${emulator.url}/v1beta`, apiKey: "gemini-pool" },
      },
      budgets: { acme: { total_budget: 1 } },
      rateLimits: { perCustomer: { requestsPerMinute: 2 } },
    }));
    const { client, gateway, emulator } = fx;

    // chat: one answered at once, one streamed.
    await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hello" }],
      customer_identifier: "acme",
    } as never);
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
    // responses, messages, gemini, embeddings.
    await client.responses.create({ model: "gpt-4o-mini", input: "hi responses" });
    const anthropic = new Anthropic({
      apiKey: "caller",
      baseURL: "http://keyway.local",
      fetch: gateway.fetch,
    });
    await anthropic.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi messages" }],
    });
    const gemini = await gateway.fetch(
      new Request("http://keyway.local/v1beta/models/gemini-2.5-flash:generateContent", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi gemini" }] }] }),
      }),
    );
    expect(gemini.status).toBe(200);
    await client.embeddings.create({ model: "text-embedding-3-small", input: "embed me" });
    // The first pooled key is refused once: retried on the other, which answers; the first cools down.
    emulator.fault({ match: { apiKey: "gsk-pool-a" }, status: 429, retryAfter: 60, times: 1 });
    await client.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "pooled" }],
    });
    // An unknown model: an error, never routed.
    await expect(
      client.chat.completions.create({ model: "nope/whatever", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 400 });
    // The cache: a miss, then a hit.
    for (let i = 0; i < 2; i++)
      await client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "cache me" }],
        cache_enabled: true,
      } as never);
    // A customer's rate limit: two calls pass, the third is refused before it is sent.
    for (let i = 0; i < 3; i++) {
      const call = client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "limited" }],
        customer_identifier: "busy",
      } as never);
      if (i < 2) await call;
      else await expect(call).rejects.toMatchObject({ status: 429 });
    }
    const logs = fx.sink.logs;
    expect(logs).toHaveLength(12);

    const { contentType, body } = await metrics.text();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const scrape = parseScrape(body);

    const requests = scrape.samples("keyway_requests_total");
    const ok = (provider: string, model: string, face: string, stream = "false", customer = "") =>
      `customer=${customer},face=${face},log_source=gateway,model=${model},provider=${provider},status_class=2xx,stream=${stream}`;
    expect(requests).toEqual({
      [ok("openai", "gpt-4o-mini", "chat", "false", "acme")]: 1,
      [ok("openai", "gpt-4o-mini", "chat", "true")]: 1,
      [ok("openai", "gpt-4o-mini", "responses")]: 1,
      [ok("anthropic", "claude-sonnet-4-5", "messages")]: 1,
      [ok("google", "gemini-2.5-flash", "gemini")]: 1,
      [ok("openai", "text-embedding-3-small", "embeddings")]: 1,
      [ok("groq", "groq/llama-3.1-8b-instant", "chat")]: 1,
      "customer=,face=chat,log_source=gateway,model=unrouted,provider=unrouted,status_class=4xx,stream=false": 1,
      [ok("openai", "gpt-4o-mini", "chat")]: 2,
      [ok("openai", "gpt-4o-mini", "chat", "false", "busy")]: 2,
    });
    expect(scrape.samples("keyway_errors_total")).toEqual({
      "code=unknown_model,model=unrouted,provider=unrouted": 1,
    });
    expect(scrape.samples("keyway_refusals_total")).toEqual({ "code=rate_limit_exceeded": 1 });
    expect(scrape.samples("keyway_cache_lookups_total")).toEqual({ "result=hit": 1, "result=miss": 1 });
    expect(scrape.samples("keyway_retries_total")).toEqual({
      "model=groq/llama-3.1-8b-instant,provider=groq": 1,
    });
    const keys = Object.fromEntries(
      gateway.keyHealth().map((key) => [`key=${key.keyId},provider=${key.provider}`, key.healthy ? 1 : 0]),
    );
    expect(scrape.samples("keyway_key_up")).toEqual(keys);
    expect(Object.values(keys).sort()).toEqual([0, 1, 1, 1, 1]);
    expect(body).not.toContain("gsk-pool-a");

    // Tokens and cost add up to the logs' own figures, per provider and model.
    const tokens = scrape.samples("keyway_tokens_total");
    const input = logs
      .filter((log) => log.model === "gpt-4o-mini" && log.customer_params?.customer_identifier === undefined)
      .reduce((sum, log) => sum + (log.prompt_tokens ?? 0), 0);
    expect(tokens["customer=,direction=input,model=gpt-4o-mini,provider=openai"]).toBe(input);
    const acme = logs.find((log) => log.customer_params?.customer_identifier === "acme");
    expect(acme?.cost).toBeGreaterThan(0);
    expect(scrape.samples("keyway_cost_usd_total")["customer=acme,model=gpt-4o-mini,provider=openai"]).toBe(
      acme?.cost,
    );
    expect(scrape.samples("keyway_budget_remaining_usd")).toEqual({
      "customer=acme,window=total": 1 - (acme?.cost ?? 0),
    });

    // Histograms: one observation per logged call (latency), one per streamed call with a first token.
    expect(scrape.type("keyway_request_duration_seconds")).toBe("HISTOGRAM");
    const duration = scrape.counts("keyway_request_duration_seconds");
    expect(Object.values(duration).reduce((a, b) => a + b, 0)).toBe(12);
    const ttft = scrape.counts("keyway_time_to_first_token_seconds");
    expect(ttft).toEqual({
      "face=chat,log_source=gateway,model=gpt-4o-mini,provider=openai,stream=true": 1,
    });
    const sink = scrape.samples("keyway_sink_logs_total");
    expect(sink).toEqual({});
  });

  it("refuses an opt-in label it cannot read, and bounds the model label", async () => {
    expect(() => new GatewayMetrics({ labels: ["metadata.bad-key"] })).toThrow(/metadata\.<key>/);
    const metrics = new GatewayMetrics({ maxModels: 1, labels: ["metadata.plan"] });
    const base = { unique_id: "x", provider_id: "openai", status_code: 200, log_source: "gateway" };
    metrics.observe({ ...base, model: "a", metadata: { plan: "pro" } }, "chat");
    metrics.observe({ ...base, model: "b" }, "chat");
    const requests = parseScrape((await metrics.text()).body).samples("keyway_requests_total");
    expect(Object.keys(requests).sort()).toEqual([
      "face=chat,log_source=gateway,metadata_plan=,model=other,provider=openai,status_class=2xx,stream=false",
      "face=chat,log_source=gateway,metadata_plan=pro,model=a,provider=openai,status_class=2xx,stream=false",
    ]);
  });
});
