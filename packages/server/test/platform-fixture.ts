import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProviderEmulator, startProviderEmulator } from "@keyway/testing";
import OpenAI from "openai";
import { type KeywayServer, type KeywayServerOptions, startKeywayServer } from "../src/keyway-server.js";

export const ADMIN_KEY = "kw_admin_from_config";

/** A JSON call to a server with a key; the answer's status and body. */
export async function callJson(
  url: string,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { results?: Record<string, unknown>[] } }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

/** `keyway serve` on a temp SQLite file with one configured admin key (named `ops`) and the emulator as groq. */
export async function startPlatform(
  overrides: Partial<KeywayServerOptions> = {},
  emulator?: ProviderEmulator,
): Promise<{ server: KeywayServer; emulator: ProviderEmulator; dbPath: string; close(): Promise<void> }> {
  const upstream = emulator ?? (await startProviderEmulator());
  const dbPath = overrides.dbPath ?? join(mkdtempSync(join(tmpdir(), "keyway-platform-")), "keyway.db");
  const server = await startKeywayServer({
    port: 0,
    dbPath,
    apiKeys: [{ key: ADMIN_KEY, name: "ops" }],
    settingsPollMs: 100,
    gateway: {
      providers: { groq: { baseURL: `${upstream.url}/openai/v1`, keys: [{ apiKey: "gsk-config-key" }] } },
      env: {},
      retry: { retries: 0 },
    },
    ...overrides,
  });
  return {
    server,
    emulator: upstream,
    dbPath,
    close: async () => {
      await server.close();
      if (!emulator) await upstream.close();
    },
  };
}

/** The OpenAI SDK pointed at a server's gateway with a key. */
export const openaiClient = (url: string, key: string) =>
  new OpenAI({ baseURL: `${url}/api`, apiKey: key, maxRetries: 0 });
