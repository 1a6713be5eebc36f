import { createGateway, createSink, type Gateway, type LogSink } from "@keyway/core";
import { startProviderEmulator } from "@keyway/testing";

/** What every example runs against: the gateway, the sink, the emulator standing in for providers. */
export interface ExampleEnv {
  gateway: Gateway;
  sink: LogSink;
  /** The provider emulator's origin: OpenAI-compatible at `{providerURL}/v1`, Anthropic at `{providerURL}/v1/messages`. */
  providerURL: string;
  customers: string[];
  progress: (line: string) => void;
}

/**
 * The examples' gateway: Groq and Anthropic with their base URLs pointed at the emulator (real model ids, real
 * prices), and the emulator itself as a custom OpenAI-compatible provider serving `echo-1`.
 */
export function exampleGateway(providerURL: string, sink: LogSink): Gateway {
  return createGateway({
    providers: {
      groq: {
        baseURL: `${providerURL}/openai/v1`,
        keys: [
          { apiKey: "gsk-demo-a", weight: 3 },
          { apiKey: "gsk-demo-b", weight: 1 },
        ],
      },
      anthropic: { baseURL: `${providerURL}/v1`, apiKey: "sk-ant-demo" },
      emulator: { baseURL: `${providerURL}/v1`, apiKey: "emulator-key", models: ["echo-1"] },
    },
    prices: { "echo-1": { input: 0.5, output: 1.5 } },
    retry: { retries: 1, baseDelayMs: 20 },
    sink,
  });
}

/**
 * Runs one example on its own: starts the emulator, logs to the sink from env (else `keyway serve` on
 * http://127.0.0.1:8787 with its default key — start it with `keyway serve`), flushes, and exits.
 */
export async function runStandalone(name: string, run: (env: ExampleEnv) => Promise<void>): Promise<void> {
  const emulator = await startProviderEmulator({ latencyMs: 20, chunkDelayMs: 10 });
  const sink = createSink();
  try {
    await run({
      gateway: exampleGateway(emulator.url, sink),
      sink,
      providerURL: emulator.url,
      customers: ["alice", "bob"],
      progress: (line) => console.log(`[${name}] ${line}`),
    });
  } finally {
    await sink.shutdown();
    await emulator.close();
  }
}
