import { LegacyOpenTelemetry } from "@ai-sdk/otel";
import { waitFor } from "@keyway/testing";
import { KeywordsAIExporter } from "@keywordsai/exporter-vercel";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { generateText, registerTelemetry } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, appModel, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

const getLog = async (id: string) => {
  const response = await fx.call(`/api/request-logs/${encodeURIComponent(id)}`);
  return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
};

describe("keyway serve: logs the way Respan's clients send them", () => {
  it("takes the request-log routes with and without /api and the trailing slash", async () => {
    const paths = [
      ["/request-logs/create", 201],
      ["/request-logs/create/", 201],
      ["/api/request-logs/create", 201],
      ["/api/request-logs", 201],
    ] as const;
    for (const [index, [path, status]] of paths.entries()) {
      const response = await fx.call(path, { json: { unique_id: `variant-${index}`, model: "gpt-4o-mini" } });
      expect(response.status, path).toBe(status);
      expect(await getLog(`variant-${index}`), path).toMatchObject({ model: "gpt-4o-mini" });
    }
    const batch = await fx.call("/request-logs/batch", {
      json: [{ unique_id: "variant-batch", model: "m" }],
    });
    expect(batch.status).toBe(200);
  });

  it("reads back, field for field, the request-log examples of Respan's provider docs", async () => {
    // Posted verbatim as the Groq, Fireworks and Anthropic pages show them (the custom-provider page has no
    // logging example: the last one is the same shape with its custom model name).
    const examples = [
      {
        model: "llama3-8b-8192",
        prompt_messages: [{ role: "user", content: "Write a short poem about AI" }],
        completion_message: {
          role: "assistant",
          content: "In circuits bright and data streams, AI awakens from digital dreams...",
        },
        cost: 0.0001,
        generation_time: 0.8,
        customer_params: { customer_identifier: "user_101" },
      },
      {
        model: "accounts/fireworks/models/llama-v3p1-8b-instruct",
        prompt_messages: [{ role: "user", content: "Summarize the benefits of renewable energy" }],
        completion_message: {
          role: "assistant",
          content:
            "Renewable energy offers benefits like lower emissions, improved air quality, and long-term cost stability...",
        },
        cost: 0.0003,
        generation_time: 1.5,
        customer_params: { customer_identifier: "user_202" },
      },
      {
        model: "claude-3-5-sonnet-20240620",
        prompt_messages: [{ role: "user", content: "What's the weather like today?" }],
        completion_message: {
          role: "assistant",
          content:
            "I don't have access to real-time weather data, but I can help you find weather information.",
        },
        cost: 0.00042,
        generation_time: 1.8,
        customer_params: { customer_identifier: "user_456" },
      },
      {
        model: "my-custom-model-name",
        prompt_messages: [{ role: "user", content: "Hello!" }],
        completion_message: { role: "assistant", content: "Hi there!" },
        cost: 0.00005,
        generation_time: 0.3,
        customer_params: { customer_identifier: "user_303" },
      },
    ];
    for (const example of examples) {
      const response = await fx.call("/api/request-logs/create/", { json: example });
      expect(response.status, example.model).toBe(201);
      const { unique_id } = (await response.json()) as { unique_id: string };
      const { generation_time, ...rest } = example;
      expect(await getLog(unique_id)).toMatchObject({ ...rest, latency: generation_time, status: "success" });
    }
  });

  it("stores numeric customer and thread identifiers as their text", async () => {
    const response = await fx.call("/api/request-logs/create/", {
      json: {
        unique_id: "numeric-ids",
        model: "gpt-4o-mini",
        customer_identifier: 12345,
        thread_identifier: 678,
        customer_params: { customer_identifier: 12345, email: "n@example.com" },
      },
    });
    expect(response.status).toBe(201);
    expect(await getLog("numeric-ids")).toMatchObject({
      customer_params: { customer_identifier: "12345", email: "n@example.com" },
      thread_identifier: "678",
    });
    const listed = (await (await fx.call("/api/request-logs/?customer_identifier=12345")).json()) as {
      results: { unique_id: string }[];
    };
    expect(listed.results.map((log) => log.unique_id)).toEqual(["numeric-ids"]);
  });

  it("refuses a body that is not a log on the single-log route, saying what is wrong", async () => {
    const response = await fx.call("/api/request-logs/create/", { json: { data: [{ model: "m" }] } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; detail: string };
    expect(body.code).toBe("not_a_log");
    expect(body.detail).toContain("/api/v1/traces/ingest");
  });

  it("ingests Respan's flat span logs at both trace-ingest routes, as an array or {data}, idempotent on the span id", async () => {
    const span = (id: string, extra: Record<string, unknown> = {}) => ({
      trace_unique_id: "trace-respan",
      span_unique_id: id,
      span_name: "ai.generateText.doGenerate",
      span_path: "agent.step",
      span_workflow_name: "agent",
      log_type: "text",
      model: "gpt-4o-mini",
      prompt_messages: [{ role: "user", content: `hi ${id}` }],
      completion_message: { role: "assistant", content: `hello ${id}` },
      prompt_tokens: 4,
      completion_tokens: 2,
      start_time: "2026-11-20T10:00:00.000Z",
      timestamp: "2026-11-20T10:00:01.250Z",
      latency: 1.25,
      time_to_first_token: 0.2,
      customer_identifier: 42,
      metadata: { plan: "pro" },
      ...extra,
    });
    const array = await fx.call("/api/integrations/v1/traces/ingest", { json: [span("s-1"), span("s-2")] });
    expect(array.status).toBe(200);
    const wrapped = await fx.call("/api/v1/traces/ingest", {
      json: { data: [span("s-3", { span_parent_id: "s-1" })] },
    });
    expect(wrapped.status).toBe(200);
    // The older trace route takes Respan's {data: [...]} body too, as every trace-ingest route does.
    const older = await fx.call("/api/traces/ingest/", {
      json: { data: [span("s-4", { span_parent_id: "s-1" })] },
    });
    expect(older.status).toBe(200);
    expect(await getLog("trace-respan-s-4")).toMatchObject({ span_unique_id: "s-4" });
    const resent = await fx.call("/api/v1/traces/ingest", { json: [span("s-1")] });
    expect(await resent.json()).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(await getLog("trace-respan-s-3")).toMatchObject({
      trace_unique_id: "trace-respan",
      span_unique_id: "s-3",
      span_parent_id: "s-1",
      span_path: "agent.step",
      span_workflow_name: "agent",
      model: "gpt-4o-mini",
      prompt_messages: [{ role: "user", content: "hi s-3" }],
      completion_message: { content: "hello s-3" },
      prompt_tokens: 4,
      completion_tokens: 2,
      latency: 1.25,
      time_to_first_token: 0.2,
      customer_params: { customer_identifier: "42" },
      metadata: { plan: "pro" },
    });
    const bad = await fx.call("/api/v1/traces/ingest", { json: { spans: [] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe("data");
    expect((await fx.call("/api/v1/traces/ingest", { json: [span("s-9")], auth: false })).status).toBe(401);
  });

  it("receives what @keywordsai/exporter-vercel sends from an AI SDK app", async () => {
    const exporter = new KeywordsAIExporter({ apiKey: API_KEY, baseUrl: fx.server.url });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    registerTelemetry(new LegacyOpenTelemetry({ tracer: provider.getTracer("ai") }));
    const model = appModel(fx.emulator);
    const { text } = await generateText({
      model,
      prompt: "hello from vercel",
      experimental_telemetry: { isEnabled: true, metadata: { customer_identifier: "vercel-user" } },
    } as Parameters<typeof generateText>[0]);
    expect(text).toBe("Echo: hello from vercel");
    await provider.forceFlush();
    const find = async () => {
      const page = (await (await fx.call("/api/request-logs/?search=hello%20from%20vercel")).json()) as {
        results: Record<string, unknown>[];
      };
      return page.results;
    };
    await waitFor(async () => (await find()).length > 0);
    const [log] = await find();
    // Stored as the exporter sent it. (Its mapping predates ai 7: it reads the outer span, so prompt and tokens
    // arrive empty and the customer as its "default_user" — the client's limits, kept verbatim here.)
    expect(log).toMatchObject({
      model: "gpt-4o-mini",
      completion_message: { role: "assistant", content: "Echo: hello from vercel" },
      span_name: "ai.generateText",
      trace_unique_id: expect.any(String),
      span_unique_id: expect.any(String),
      status: "success",
      customer_params: { customer_identifier: "default_user" },
    });
    expect(log?.unique_id).toBe(`${log?.trace_unique_id}-${log?.span_unique_id}`);
    await provider.shutdown();
  });
});
