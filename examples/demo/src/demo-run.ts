import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpLogSink } from "@keyway/core";
import { runAISDKExample } from "@keyway/example-ai-sdk";
import { createExpressApp, runExpressExample } from "@keyway/example-express-app";
import { runKoaExample } from "@keyway/example-koa-app";
import { runLangChainExample } from "@keyway/example-langchain";
import { runOTelExample } from "@keyway/example-otel";
import { type ExampleEnv, exampleGateway } from "@keyway/example-shared";
import { type KeywayServer, startKeywayServer } from "@keyway/server";
import { type ProviderEmulator, startProviderEmulator } from "@keyway/testing";

export const DEMO_API_KEY = "kw_demo";

/** keyway serve on the port asked for, or any free one when it is busy. */
async function startServer(dbPath: string, providerURL: string, port: number): Promise<KeywayServer> {
  const options = {
    dbPath,
    apiKeys: [DEMO_API_KEY],
    gateway: {
      providers: {
        groq: { baseURL: `${providerURL}/openai/v1`, keys: [{ apiKey: "gsk-served-a" }] },
        anthropic: { baseURL: `${providerURL}/v1`, apiKey: "sk-ant-served" },
      },
    },
  };
  try {
    return await startKeywayServer({ ...options, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    console.log(`  port ${port} is busy; using a free one`);
    return startKeywayServer({ ...options, port: 0 });
  }
}

export interface DemoRun {
  server: KeywayServer;
  emulator: ProviderEmulator;
  sink: HttpLogSink;
  dbPath: string;
  close(): Promise<void>;
}

/**
 * The demo's data: `keyway serve` (SQLite in a temp dir) and the provider emulator, every door's example for a few
 * customers (streamed and not, one forced error, one fallback), delivered. Used by `pnpm demo`, `pnpm screenshots`
 * and the dashboard's browser test, so all three show the same thing.
 */
export async function runDemo(
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<DemoRun> {
  const log = options.log ?? (() => {});
  const step = (text: string) => log(`\n▸ ${text}`);
  const progress = (door: string) => (line: string) => log(`  [${door}] ${line}`);
  const API_KEY = DEMO_API_KEY;
  const dir = mkdtempSync(join(tmpdir(), "keyway-demo-"));
  step("starting the provider emulator and keyway serve");
  const emulator = await startProviderEmulator({ latencyMs: 25, chunkDelayMs: 8 });
  const server = await startServer(join(dir, "keyway.db"), emulator.url, options.port ?? 0);
  log(`  provider emulator on ${emulator.url}; keyway serve on ${server.url} (db ${join(dir, "keyway.db")})`);
  const sink = new HttpLogSink({
    baseURL: server.url,
    apiKey: API_KEY,
    spoolDir: join(dir, "spool"),
    flushIntervalMs: 100,
  });
  const gateway = exampleGateway(emulator.url, sink);
  const env = (door: string, customers: string[]): ExampleEnv => ({
    gateway,
    sink,
    providerURL: emulator.url,
    customers,
    progress: progress(door),
  });

  step("Express: req.keyway.chat and the gateway mounted at /llm");
  await runExpressExample(env("express", ["alice", "bob"]));
  step("Koa: ctx.state.keyway.chat and the gateway under /llm");
  await runKoaExample(env("koa", ["carol", "dave"]));
  step("LangChain: a support agent with a tool, and a streamed LCEL chain");
  await runLangChainExample(env("langchain", ["alice", "erin"]));
  step("AI SDK: streamText with a tool through the Keyway provider");
  await runAISDKExample(env("ai-sdk", ["bob", "carol"]));
  step("OpenTelemetry: NodeSDK + KeywaySpanExporter, AI SDK telemetry on, the team's own provider");
  await runOTelExample(env("otel", ["dave", "erin"]));

  step("a forced error and a fallback, through the Express app");
  {
    const app = createExpressApp({ gateway }).listen(0, "127.0.0.1");
    await new Promise((resolve) => app.once("listening", resolve));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    emulator.fault({ match: { model: "echo-1" }, status: 500, errorMessage: "emulated outage", times: 2 });
    const failed = await fetch(`${url}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-id": "erin" },
      body: JSON.stringify({ model: "echo-1", message: "this one fails" }),
    });
    progress("express")(
      `echo-1 with the provider down: HTTP ${failed.status} ${((await failed.json()) as { error: { message: string } }).error.message}`,
    );
    emulator.fault({ match: { model: "llama-3.1-8b-instant" }, status: 503, times: 2 });
    const fellBack = await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-id": "alice" },
      body: JSON.stringify({
        model: "groq/llama-3.1-8b-instant",
        fallback_models: ["claude-sonnet-4-5"],
        messages: [{ role: "user", content: "groq is down, fall back" }],
      }),
    });
    const completion = (await fellBack.json()) as {
      model: string;
      choices: { message: { content: string } }[];
    };
    progress("express")(
      `groq 503 twice → fell back to ${completion.model}: ${completion.choices[0]?.message.content}`,
    );
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
  }

  step("delivering logs to keyway serve");
  await sink.flush();
  log(`  sink: ${JSON.stringify(sink.counters)}`);
  return {
    server,
    emulator,
    sink,
    dbPath: join(dir, "keyway.db"),
    async close() {
      await sink.shutdown();
      await server.close();
      await emulator.close();
    },
  };
}
