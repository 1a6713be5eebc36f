import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpLogSink } from "@keyway/core";
import { type LogCapture, startLogCapture } from "@keyway/testing";
import { trace } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeywaySpanExporter } from "../src/index.js";

let capture: LogCapture;
beforeAll(async () => {
  capture = await startLogCapture({ apiKey: "kw_otel" });
});
afterAll(() => capture.close());

const sink = () =>
  new HttpLogSink({
    baseURL: capture.url,
    apiKey: "kw_otel",
    spoolDir: mkdtempSync(join(tmpdir(), "keyway-otel-")),
    flushIntervalMs: 60_000,
  });
const chatSpan = (name: string) => ({
  attributes: {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": name,
    "gen_ai.usage.input_tokens": 3,
    "gen_ai.usage.output_tokens": 2,
  },
});

describe("with the SDKs users run", () => {
  it("NodeSDK 0.301 with traceExporter: shutdown flushes every log to the endpoint", async () => {
    capture.reset();
    const sdk = new NodeSDK({
      traceExporter: new KeywaySpanExporter({ sink: sink() }),
      instrumentations: [],
    });
    sdk.start();
    const tracer = trace.getTracer("node-sdk-test");
    for (let i = 0; i < 5; i++) tracer.startSpan(`chat ${i}`, chatSpan(`model-${i}`)).end();
    tracer.startSpan("not an llm span").end();
    await sdk.shutdown();
    expect(capture.logs.map((log) => log.model).sort()).toEqual([
      "model-0",
      "model-1",
      "model-2",
      "model-3",
      "model-4",
    ]);
    expect(capture.logs.every((log) => log.log_source === "otel")).toBe(true);
  });

  it("sdk-trace 3.x TracerProvider with BatchSpanProcessor({ exporter })", async () => {
    capture.reset();
    const provider = new TracerProvider({
      spanProcessors: [new BatchSpanProcessor({ exporter: new KeywaySpanExporter({ sink: sink() }) })],
    });
    provider.getTracer("v3").startSpan("chat", chatSpan("three")).end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(capture.logs.map((log) => log.model)).toEqual(["three"]);
  });
});
