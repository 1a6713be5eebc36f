import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { LegacyOpenTelemetry, OpenTelemetry } from "@ai-sdk/otel";
import { MemoryLogSink } from "@keyway/core";
import { type ProviderEmulator, startProviderEmulator } from "@keyway/testing";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { generateText, registerTelemetry, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { KeywaySpanExporter } from "../src/index.js";

let emulator: ProviderEmulator;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator.close());

function telemetry(kind: "default" | "legacy", logTraceTree = false) {
  const sink = new MemoryLogSink();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new KeywaySpanExporter({ sink, logTraceTree }))],
  });
  const tracer = provider.getTracer("ai");
  registerTelemetry(kind === "default" ? new OpenTelemetry({ tracer }) : new LegacyOpenTelemetry({ tracer }));
  return { sink, provider };
}

// A user who keeps their own provider: no Keyway gateway in the path, only the exporter.
const model = () =>
  createOpenAICompatible({ name: "openai", baseURL: emulator.baseURL, apiKey: "sk-own", includeUsage: true })(
    "gpt-4o-mini",
  );
const weather = tool({
  description: "weather",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `rain in ${city}`,
});

describe("the real ai 7 package with @ai-sdk/otel, exported through KeywaySpanExporter", () => {
  for (const kind of ["default", "legacy"] as const) {
    it(`${kind} integration: one request log per model call, generate and stream`, async () => {
      const { sink, provider } = telemetry(kind);
      await generateText({ model: model(), system: "be brief", prompt: "hello otel" });
      const stream = streamText({ model: model(), prompt: "stream otel" });
      expect(await stream.text).toBe("Echo: stream otel");
      await provider.forceFlush();
      expect(sink.logs).toHaveLength(2);
      const [generated, streamed] = sink.logs;
      expect(generated).toMatchObject({
        log_source: "otel",
        model: "gpt-4o-mini",
        provider_id: "openai",
        prompt_messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello otel" },
        ],
        completion_message: { content: "Echo: hello otel" },
        prompt_tokens: 6,
        completion_tokens: 3,
        stream: false,
      });
      expect(generated?.cost).toBeCloseTo((6 * 0.15 + 3 * 0.6) / 1_000_000, 12);
      expect(streamed).toMatchObject({
        stream: true,
        completion_message: { content: "Echo: stream otel" },
        completion_tokens: 3,
      });
      expect(streamed?.time_to_first_token).toBeGreaterThan(0);
      await provider.shutdown();
    });
  }

  it("a two-step tool loop: two requests, and with logTraceTree the agent, step and tool spans around them", async () => {
    const { sink, provider } = telemetry("default", true);
    const result = await generateText({
      model: model(),
      tools: { weather },
      stopWhen: stepCountIs(3),
      prompt: "use weather in Oslo",
    });
    expect(result.text).toBe("Tool result: rain in use weather in Oslo");
    await provider.forceFlush();
    const requests = sink.logs.filter((log) => log.log_type === "chat");
    expect(requests).toHaveLength(2);
    const types = sink.logs.map((log) => log.log_type).sort();
    expect(types).toEqual(["agent", "chat", "chat", "tool", "workflow", "workflow"]);
    expect(new Set(sink.logs.map((log) => log.trace_unique_id)).size).toBe(1);
    await provider.shutdown();
  });
});
