import type { AddressInfo } from "node:net";
import { MemoryLogSink, type RequestLog } from "@keyway/core";
import { keyway } from "@keyway/express";
import { context, trace } from "@opentelemetry/api";
import { NodeSDK, type NodeSDKConfiguration } from "@opentelemetry/sdk-node";
import express from "express";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { KeywaySpanExporter, keywaySpanProcessors } from "../src/index.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const chatAttributes = (model: string) => ({
  "gen_ai.operation.name": "chat",
  "gen_ai.request.model": model,
  "gen_ai.usage.input_tokens": 3,
  "gen_ai.usage.output_tokens": 2,
});

let sdk: NodeSDK | undefined;
afterEach(async () => {
  await sdk?.shutdown();
  sdk = undefined;
  trace.disable();
  context.disable();
});

/**
 * An Express app with `keyway()` (customer, email, metadata per request) whose handler records a GenAI span;
 * 50 concurrent requests for distinct customers, plus one span from a background job outside any request.
 */
async function run(configure: (sink: MemoryLogSink) => Partial<NodeSDKConfiguration>): Promise<RequestLog[]> {
  const sink = new MemoryLogSink();
  sdk = new NodeSDK({ ...configure(sink), instrumentations: [] });
  sdk.start();
  const tracer = trace.getTracer("identity-test");
  const app = express();
  app.use(
    keyway({
      customer: (req) => {
        const user = String(req.headers["x-user"]);
        return { customer_identifier: user, email: `${user}@example.com` };
      },
      metadata: (req) => ({ plan: `plan-of-${String(req.headers["x-user"])}` }),
    }),
  );
  app.get("/ask", async (req, res) => {
    await tracer.startActiveSpan(
      "chat",
      { attributes: chatAttributes(`model-${req.headers["x-user"]}`) },
      async (span) => {
        await sleep(Math.random() * 20);
        span.end();
      },
    );
    res.json({ ok: true });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const background = tracer.startSpan("chat", { attributes: chatAttributes("model-background") });
    const requests = Array.from({ length: 50 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/ask`, { headers: { "x-user": `user-${i}` } }),
    );
    await sleep(5);
    background.end();
    for (const response of await Promise.all(requests)) expect(response.status).toBe(200);
    // Let the batch timers export, as they do in a running server (not the final flush at shutdown).
    await sleep(300);
  } finally {
    server.close();
  }
  await sdk.shutdown();
  sdk = undefined;
  return sink.logs;
}

const ownerOf = (log: RequestLog) => String(log.model).slice("model-".length);

describe("identity of OTel logs under NodeSDK's batching", () => {
  it("the default batch processor (bare traceExporter): no log carries another request's customer", async () => {
    // NodeSDK's default BatchSpanProcessor, exporting on its timer as in production (5 s there, 50 ms here).
    process.env.OTEL_BSP_SCHEDULE_DELAY = "50";
    onTestFinished(() => {
      delete process.env.OTEL_BSP_SCHEDULE_DELAY;
    });
    const logs = await run((sink) => ({ traceExporter: new KeywaySpanExporter({ sink }) }));
    expect(logs).toHaveLength(51);
    for (const log of logs) {
      const customer = log.customer_params?.customer_identifier;
      if (customer !== undefined) expect(customer).toBe(ownerOf(log));
      if (log.metadata?.plan !== undefined) expect(log.metadata.plan).toBe(`plan-of-${ownerOf(log)}`);
    }
    expect(logs.find((log) => log.model === "model-background")?.customer_params).toBeUndefined();
  });

  it("keywaySpanProcessors(): every log carries its own request's customer, email and metadata", async () => {
    const logs = await run((sink) => ({
      spanProcessors: keywaySpanProcessors({ sink, scheduledDelayMs: 50 }),
    }));
    expect(logs).toHaveLength(51);
    for (const log of logs.filter((entry) => entry.model !== "model-background")) {
      const owner = ownerOf(log);
      expect(log.customer_params).toEqual({ customer_identifier: owner, email: `${owner}@example.com` });
      expect(log.metadata).toEqual({ plan: `plan-of-${owner}` });
    }
    const background = logs.find((log) => log.model === "model-background");
    expect(background?.customer_params).toBeUndefined();
    expect(background?.metadata).toBeUndefined();
  });
});
