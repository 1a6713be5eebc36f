import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { GatewayConfig } from "@keyway/core";
import { type ProviderEmulator, startProviderEmulator } from "@keyway/testing";
import type { generateText } from "ai";
import { type KeywayServer, startKeywayServer } from "../src/keyway-server.js";

export const API_KEY = "kw_test_key";

export interface ServerFixture {
  server: KeywayServer;
  emulator: ProviderEmulator;
  dbPath: string;
  /** Calls the server with the API key (unless `auth: false`). */
  call(path: string, init?: RequestInit & { auth?: boolean; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** `gateway` adds to (and wins over) the fixture's gateway config: `redis`, `budgets`, … */
export async function serverFixture(
  overrides: Partial<GatewayConfig> | ((emulator: ProviderEmulator) => Partial<GatewayConfig>) = {},
): Promise<ServerFixture> {
  const emulator = await startProviderEmulator();
  const gateway = typeof overrides === "function" ? overrides(emulator) : overrides;
  const dbPath = join(mkdtempSync(join(tmpdir(), "keyway-server-test-")), "keyway.db");
  const server = await startKeywayServer({
    port: 0,
    dbPath,
    apiKeys: [API_KEY],
    maxBodyBytes: 1024 * 1024,
    maxStringChars: 1_000,
    gateway: {
      providers: {
        groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-server-pool" }] },
        anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-server" },
        openai: { baseURL: emulator.baseURL, apiKey: "sk-openai-server" },
        gemini: { baseURL: `${emulator.url}/v1beta`, apiKey: "gemini-server-pool" },
      },
      env: {},
      retry: { baseDelayMs: 1 },
      ...gateway,
    },
  });
  const call = (path: string, init: RequestInit & { auth?: boolean; json?: unknown } = {}) => {
    const { auth = true, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth) headers.set("authorization", `Bearer ${API_KEY}`);
    if (json !== undefined) headers.set("content-type", "application/json");
    return fetch(`${server.url}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { method: rest.method ?? "POST", body: JSON.stringify(json) } : {}),
    });
  };
  return {
    server,
    emulator,
    dbPath,
    call,
    close: async () => {
      await server.close();
      await emulator.close();
    },
  };
}

/** An AI SDK app's own model, straight to the emulator: no Keyway package in the app. */
export const appModel = (emulator: ProviderEmulator): Parameters<typeof generateText>[0]["model"] =>
  createOpenAICompatible({ name: "openai", baseURL: emulator.baseURL, apiKey: "sk-own", includeUsage: true })(
    "gpt-4o-mini",
  );
