import { MemoryLogSink, runWithContext } from "@keyway/core";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { beforeEach, describe, expect, it } from "vitest";
import { KeywayContextSpanProcessor, KeywaySpanExporter } from "../src/index.js";

let sink: MemoryLogSink;
let provider: BasicTracerProvider;
const setup = (options: { logTraceTree?: boolean } = {}) => {
  sink = new MemoryLogSink();
  provider = new BasicTracerProvider({
    spanProcessors: [
      new KeywayContextSpanProcessor(),
      new SimpleSpanProcessor(new KeywaySpanExporter({ sink, ...options })),
    ],
  });
  return provider.getTracer("hand-built");
};
beforeEach(() => {
  setup();
});

describe("one mapping table per convention, on hand-built spans through the real SDK", () => {
  it("GenAI semantic conventions: messages, usage, model, provider, TTFT", async () => {
    const tracer = setup();
    const span = tracer.startSpan("chat gpt-4o", {
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o-2024-08-06",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "be kind" }]),
        "gen_ai.input.messages": JSON.stringify([
          { role: "user", parts: [{ type: "text", content: "hello" }] },
        ]),
        "gen_ai.output.messages": JSON.stringify([
          {
            role: "assistant",
            parts: [
              { type: "text", content: "hi there" },
              { type: "tool_call", id: "c1", name: "lookup", arguments: { q: "x" } },
            ],
            finish_reason: "tool_call",
          },
        ]),
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 100,
        "gen_ai.usage.cache_read.input_tokens": 400,
        "gen_ai.client.operation.time_to_first_chunk": 0.25,
        "gen_ai.response.finish_reasons": ["tool_call"],
        "gen_ai.conversation.id": "conv-1",
      },
    });
    span.end();
    await provider.forceFlush();
    expect(sink.logs).toHaveLength(1);
    const log = sink.logs[0];
    expect(log).toMatchObject({
      log_source: "otel",
      log_type: "chat",
      model: "gpt-4o-2024-08-06",
      provider_id: "openai",
      prompt_messages: [
        { role: "system", content: "be kind" },
        { role: "user", content: "hello" },
      ],
      completion_message: {
        role: "assistant",
        content: "hi there",
        tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } }],
      },
      prompt_tokens: 1000,
      completion_tokens: 100,
      prompt_cache_hit_tokens: 400,
      time_to_first_token: 0.25,
      stream: true,
      temperature: 0.2,
      thread_identifier: "conv-1",
      trace_unique_id: span.spanContext().traceId,
      span_unique_id: span.spanContext().spanId,
    });
    // 600 uncached at $2.50/M + 400 cached at $1.25/M + 100 out at $10/M.
    expect(log?.cost).toBeCloseTo((600 * 2.5 + 400 * 1.25 + 100 * 10) / 1_000_000, 12);
  });

  it("older GenAI names: gen_ai.system, prompt/completion tokens", async () => {
    const tracer = setup();
    tracer
      .startSpan("chat", {
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.system": "anthropic",
          "gen_ai.request.model": "claude-sonnet-4-5",
          "gen_ai.usage.prompt_tokens": 10,
          "gen_ai.usage.completion_tokens": 5,
        },
      })
      .end();
    await provider.forceFlush();
    expect(sink.logs[0]).toMatchObject({
      provider_id: "anthropic",
      model: "claude-sonnet-4-5",
      prompt_tokens: 10,
      completion_tokens: 5,
    });
  });

  it("AI SDK legacy names: ai.prompt.messages, ai.response.text, ai.usage.*, msToFirstChunk, metadata and context", async () => {
    const tracer = setup();
    tracer
      .startSpan("ai.streamText.doStream", {
        attributes: {
          "operation.name": "ai.streamText.doStream",
          "ai.operationId": "ai.streamText.doStream",
          "ai.model.provider": "groq.chat",
          "ai.model.id": "llama-3.1-8b-instant",
          "ai.prompt.messages": JSON.stringify([
            { role: "system", content: "sys" },
            { role: "user", content: [{ type: "text", text: "question" }] },
          ]),
          "ai.response.text": "answer",
          "ai.response.finishReason": "stop",
          "ai.response.msToFirstChunk": 120,
          "ai.usage.promptTokens": 1_000_000,
          "ai.usage.completionTokens": 1_000_000,
          "ai.telemetry.metadata.customer_identifier": "legacy-cust",
          "ai.telemetry.metadata.plan": "pro",
          "ai.settings.context.thread_identifier": "legacy-thread",
        },
      })
      .end();
    tracer
      .startSpan("ai.streamText", {
        attributes: { "ai.operationId": "ai.streamText", "ai.response.text": "answer" },
      })
      .end();
    await provider.forceFlush();
    expect(sink.logs).toHaveLength(1);
    expect(sink.logs[0]).toMatchObject({
      model: "llama-3.1-8b-instant",
      provider_id: "groq",
      stream: true,
      prompt_messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "question" },
      ],
      completion_message: { role: "assistant", content: "answer" },
      time_to_first_token: 0.12,
      finish_reason: "stop",
      customer_params: { customer_identifier: "legacy-cust" },
      metadata: { plan: "pro" },
      thread_identifier: "legacy-thread",
    });
    expect(sink.logs[0]?.cost).toBeCloseTo(0.13, 9);
  });

  it("OpenLLMetry indexed attributes", async () => {
    const tracer = setup();
    tracer
      .startSpan("openai.chat", {
        attributes: {
          "llm.request.type": "chat",
          "gen_ai.system": "OpenAI",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.prompt.0.role": "system",
          "gen_ai.prompt.0.content": "sys",
          "gen_ai.prompt.1.role": "user",
          "gen_ai.prompt.1.content": "hi",
          "gen_ai.completion.0.role": "assistant",
          "gen_ai.completion.0.content": "hello",
          "gen_ai.completion.0.finish_reason": "stop",
          "gen_ai.usage.prompt_tokens": 7,
          "llm.usage.total_tokens": 9,
          "respan.customer_params.customer_identifier": "respan-cust",
        },
      })
      .end();
    await provider.forceFlush();
    expect(sink.logs[0]).toMatchObject({
      provider_id: "openai",
      model: "gpt-4o-mini",
      prompt_messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "hi" },
      ],
      completion_message: { role: "assistant", content: "hello" },
      prompt_tokens: 7,
      completion_tokens: 2,
      customer_params: { customer_identifier: "respan-cust" },
    });
  });

  it("a nested trace: one request for the model call, the rest as spans only with logTraceTree", async () => {
    for (const logTraceTree of [false, true]) {
      const tracer = setup({ logTraceTree });
      await runWithContext(
        { customer_params: { customer_identifier: "ctx-cust" }, metadata: { region: "eu" } },
        async () => {
          const agent = tracer.startSpan("invoke_agent gpt-4o", {
            attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 5 },
          });
          const inAgent = trace.setSpan(context.active(), agent);
          tracer.startSpan("http request", {}, inAgent).end();
          tracer
            .startSpan(
              "chat gpt-4o",
              {
                attributes: {
                  "gen_ai.operation.name": "chat",
                  "gen_ai.request.model": "gpt-4o",
                  "gen_ai.usage.input_tokens": 5,
                },
              },
              inAgent,
            )
            .end();
          agent.end();
        },
      );
      await provider.forceFlush();
      const requests = sink.logs.filter((log) => log.log_type === "chat");
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({
        customer_params: { customer_identifier: "ctx-cust" },
        metadata: { region: "eu" },
      });
      if (!logTraceTree) expect(sink.logs).toHaveLength(1);
      else {
        expect(sink.logs.map((log) => log.log_type).sort()).toEqual(["agent", "chat", "task"]);
        const agent = sink.logs.find((log) => log.log_type === "agent");
        expect(requests[0]?.span_parent_id).toBe(agent?.span_unique_id);
        expect(new Set(sink.logs.map((log) => log.trace_unique_id)).size).toBe(1);
      }
    }
  });

  it("an error span: status, message from the exception event", async () => {
    const tracer = setup();
    const span = tracer.startSpan("chat gpt-4o", {
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "http.response.status_code": 429,
      },
    });
    span.recordException(new Error("rate limited upstream"));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    await provider.forceFlush();
    expect(sink.logs[0]).toMatchObject({
      status: "error",
      status_code: 429,
      error_message: "rate limited upstream",
    });
  });

  it("never throws into the SDK, even with a broken sink", async () => {
    const errors: unknown[] = [];
    const exporter = new KeywaySpanExporter({
      sink: {
        log: () => {
          throw new Error("down");
        },
        flush: async () => {},
        shutdown: async () => {},
      },
      onError: (error) => errors.push(error),
    });
    const broken = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    broken
      .getTracer("t")
      .startSpan("chat", { attributes: { "gen_ai.operation.name": "chat" } })
      .end();
    await broken.forceFlush();
    expect(errors).toHaveLength(1);
    await broken.shutdown();
  });
});
