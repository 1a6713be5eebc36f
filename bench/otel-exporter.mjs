// KeywaySpanExporter cost per span: real SDK spans (GenAI chat spans, AI SDK-like attributes) exported in batches
// of 512 into a MemoryLogSink; microseconds per span, median over batches.
import { MemoryLogSink } from "@keyway/core";
import { KeywaySpanExporter } from "@keyway/otel";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { median, round } from "./lib/stats.mjs";

export async function otelExporter({ batches = 200, batchSize = 512 } = {}) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer("bench");
  for (let i = 0; i < batchSize; i++) {
    tracer
      .startSpan(`chat gpt-4o-mini`, {
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai.chat",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.input.messages": JSON.stringify([
            {
              role: "user",
              parts: [{ type: "text", content: `question ${i} about an order that did not arrive` }],
            },
          ]),
          "gen_ai.output.messages": JSON.stringify([
            {
              role: "assistant",
              parts: [{ type: "text", content: "It ships tomorrow." }],
              finish_reason: "stop",
            },
          ]),
          "gen_ai.usage.input_tokens": 40,
          "gen_ai.usage.output_tokens": 12,
          "gen_ai.response.finish_reasons": ["stop"],
        },
      })
      .end();
  }
  const spans = memory.getFinishedSpans();
  const sink = new MemoryLogSink();
  const exporter = new KeywaySpanExporter({ sink });
  const perSpan = [];
  for (let b = 0; b < batches; b++) {
    const started = process.hrtime.bigint();
    await new Promise((resolve) => exporter.export(spans, resolve));
    perSpan.push(Number(process.hrtime.bigint() - started) / 1e3 / spans.length);
    sink.clear();
  }
  return { spansPerBatch: spans.length, batches, microsPerSpan: round(median(perSpan), 2) };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await otelExporter(), null, 2));
