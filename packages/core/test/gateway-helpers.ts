import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ProviderEmulator, type ProviderEmulatorOptions, startProviderEmulator } from "@keyway/testing";
import OpenAI from "openai";
import { createGateway, type Gateway } from "../src/gateway/create-gateway.js";
import type { GatewayConfig } from "../src/gateway/gateway-config.js";
import { toNodeHandler } from "../src/gateway/http/node-handler.js";
import { MemoryLogSink } from "../src/transport/memory-log-sink.js";

export interface GatewayFixture {
  emulator: ProviderEmulator;
  sink: MemoryLogSink;
  gateway: Gateway;
  /** The official OpenAI SDK talking to the gateway in process. */
  client: OpenAI;
  close(): Promise<void>;
}

/** A gateway whose providers all point at one emulator: groq (key pool), openai, anthropic, fireworks, google. */
export async function gatewayFixture(
  overrides: Partial<GatewayConfig> | ((emulator: ProviderEmulator) => Partial<GatewayConfig>) = {},
  emulatorOptions: ProviderEmulatorOptions = {},
): Promise<GatewayFixture> {
  const emulator = await startProviderEmulator(emulatorOptions);
  const sink = new MemoryLogSink();
  const gateway = createGateway({
    providers: {
      groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-pool-a" }] },
      openai: { baseURL: emulator.baseURL, apiKey: "sk-openai-pool" },
      anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-pool" },
      fireworks: { baseURL: `${emulator.url}/inference/v1`, apiKey: "fw-pool" },
      google: { baseURL: `${emulator.url}/v1beta`, apiKey: "gemini-pool" },
    },
    sink,
    env: {},
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...(typeof overrides === "function" ? overrides(emulator) : overrides),
  });
  const client = new OpenAI({
    apiKey: "unused-by-gateway",
    baseURL: "http://keyway.local/v1",
    fetch: gateway.fetch,
    maxRetries: 0,
  });
  return { emulator, sink, gateway, client, close: () => emulator.close() };
}

/** Serves the gateway's fetch handler over real HTTP on loopback. */
export async function serveOverHttp(
  gateway: Gateway,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(toNodeHandler((request) => gateway.fetch(request)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Rate windows are whole minutes: a test that counts within one starts well clear of its end. */
export async function clearOfMinuteEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
