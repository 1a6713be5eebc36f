import { gzipSync } from "node:zlib";
import { OpenTelemetry } from "@ai-sdk/otel";
import { context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as OTLPHttpExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { generateText, registerTelemetry, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, appModel, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

type Log = Record<string, unknown> & { customer_params?: { customer_identifier?: string } };
const list = async (query: string) =>
  ((await (await fx.call(`/api/request-logs/?limit=200&${query}`)).json()) as { results: Log[] }).results;

/** An app with no Keyway package: NodeSDK with a stock OTLP exporter, the AI SDK's telemetry on. */
async function tracedApp(exporter: OTLPHttpExporter | OTLPProtoExporter, tag: string): Promise<void> {
  // Traces only: NodeSDK would otherwise also start OTLP metric and log exporters aimed at localhost:4318.
  const sdk = new NodeSDK({
    traceExporter: exporter,
    instrumentations: [],
    resourceDetectors: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  try {
    registerTelemetry(new OpenTelemetry({ tracer: trace.getTracer("app"), runtimeContext: true }));
    const model = appModel(fx.emulator);
    const telemetry = { isEnabled: true, includeRuntimeContext: { customer_identifier: true } };
    const runtimeContext = { customer_identifier: `${tag}-customer` };
    const generated = await generateText({ model, prompt: `${tag} generate`, telemetry, runtimeContext });
    expect(generated.text).toBe(`Echo: ${tag} generate`);
    const streamed = streamText({ model, prompt: `${tag} stream`, telemetry, runtimeContext });
    expect(await streamed.text).toBe(`Echo: ${tag} stream`);
  } finally {
    await sdk.shutdown();
    trace.disable();
    context.disable();
  }
}

async function expectTraced(tag: string): Promise<void> {
  const calls = (await list("log_source=otel")).filter((log) =>
    JSON.stringify(log.prompt_messages ?? "").includes(tag),
  );
  expect(calls.map((log) => log.log_type)).toEqual(["chat", "chat"]);
  for (const log of calls) {
    expect(log).toMatchObject({
      model: "gpt-4o-mini",
      provider_id: "openai",
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      customer_params: { customer_identifier: `${tag}-customer` },
    });
    expect(String((log.completion_message as { content?: unknown })?.content)).toContain(`Echo: ${tag}`);
    // The spans around the model call (generateText, streamText) are in the same trace.
    const trace = await list(`trace_unique_id=${log.trace_unique_id}`);
    expect(trace.length).toBeGreaterThan(1);
    expect(trace.some((span) => span.log_type !== "chat")).toBe(true);
  }
}

describe("keyway serve: OTLP/HTTP from stock OpenTelemetry exporters", () => {
  it("takes OTLP JSON from @opentelemetry/exporter-trace-otlp-http at /v1/traces", async () => {
    const exporter = new OTLPHttpExporter({
      url: `${fx.server.url}/v1/traces`,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    await tracedApp(exporter, "otlp-json");
    await expectTraced("otlp-json");
  });

  it("takes OTLP protobuf, gzipped, from @opentelemetry/exporter-trace-otlp-proto at Respan's /api/v1/traces", async () => {
    const exporter = new OTLPProtoExporter({
      url: `${fx.server.url}/api/v1/traces`,
      headers: { authorization: `Bearer ${API_KEY}` },
      compression: "gzip" as never,
    });
    await tracedApp(exporter, "otlp-proto");
    await expectTraced("otlp-proto");
  });

  it("answers OTLP's partial success for spans it cannot store, stores the rest, and refuses bad bodies", async () => {
    const span = (id: string, inputTokens: number) => ({
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: id,
      name: "chat gpt-4o-mini",
      startTimeUnixNano: "1763632800000000000",
      endTimeUnixNano: "1763632801000000000",
      attributes: [
        { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
        { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
        { key: "gen_ai.usage.input_tokens", value: { intValue: String(inputTokens) } },
        { key: "respan.customer_params.customer_identifier", value: { stringValue: "respan-user" } },
        { key: "respan.threads.thread_identifier", value: { stringValue: "respan-thread" } },
      ],
      status: {},
    });
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            { scope: { name: "t" }, spans: [span("eee19b7ec3c1b174", 5), span("eee19b7ec3c1b175", 1e15)] },
          ],
        },
      ],
    };
    const response = await fx.call("/api/v2/traces", { json: body });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      partialSuccess?: { rejectedSpans: number; errorMessage: string };
    };
    expect(answer.partialSuccess?.rejectedSpans).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toContain("prompt_tokens");
    const [stored] = await list("trace_unique_id=5b8efff798038103d269b633813fc60c");
    expect(stored).toMatchObject({
      unique_id: "5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174",
      prompt_tokens: 5,
      customer_params: { customer_identifier: "respan-user" },
      thread_identifier: "respan-thread",
    });
    // Resent (an exporter retry): stored once.
    await fx.call("/v1/traces", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify(body)),
    });
    expect(await list("trace_unique_id=5b8efff798038103d269b633813fc60c")).toHaveLength(1);

    const refuse = async (init: RequestInit & { auth?: boolean }, status: number) =>
      expect((await fx.call("/v1/traces", { method: "POST", ...init })).status).toBe(status);
    await refuse({ headers: { "content-type": "text/plain" }, body: "x" }, 415);
    await refuse({ headers: { "content-type": "application/x-protobuf" }, body: "\xff\xff\xff" }, 400);
    await refuse({ headers: { "content-type": "application/json" }, body: "{}" }, 400);
    await refuse(
      { headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: "not gzip" },
      400,
    );
    await refuse({ headers: { "content-type": "application/json" }, body: "{}", auth: false }, 401);
  });
});
