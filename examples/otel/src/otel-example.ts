import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { OpenTelemetry } from "@ai-sdk/otel";
import { runWithContext } from "@keyway/core";
import type { ExampleEnv } from "@keyway/example-shared";
import { keywaySpanProcessors } from "@keyway/otel";
import { trace } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { generateText, streamText } from "ai";

/**
 * A team that keeps its own provider and already traces with OpenTelemetry: NodeSDK with `keywaySpanProcessors()`,
 * AI SDK calls with telemetry on, straight to the provider (the emulator) — Keyway only sees the spans.
 */
export async function runOTelExample(env: ExampleEnv): Promise<void> {
  const sdk = new NodeSDK({
    // Stamps each request's customer onto its spans as they start, then batches them into the exporter.
    spanProcessors: keywaySpanProcessors({ sink: env.sink }),
    instrumentations: [],
  });
  sdk.start();
  try {
    const openai = createOpenAICompatible({
      name: "openai",
      baseURL: `${env.providerURL}/v1`,
      apiKey: "sk-team-own-key",
      includeUsage: true,
    });
    const telemetry = {
      isEnabled: true,
      integrations: [new OpenTelemetry({ tracer: trace.getTracer("otel-example") })],
    };
    for (const customer of env.customers) {
      // As the Express/Koa middleware would for a request of this customer.
      await runWithContext({ customer_params: { customer_identifier: customer } }, async () => {
        const { text } = await generateText({
          model: openai("gpt-4o-mini"),
          prompt: `Traced hello for ${customer}`,
          telemetry,
        });
        env.progress(`generateText traced for ${customer}: ${text}`);
        const stream = streamText({
          model: openai("gpt-4o-mini"),
          prompt: `Traced stream for ${customer}`,
          telemetry,
        });
        env.progress(`streamText traced for ${customer}: ${await stream.text}`);
      });
    }
  } finally {
    await sdk.shutdown();
  }
}
