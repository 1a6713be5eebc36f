import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { type ProviderEmulator, parseScrape, startProviderEmulator } from "@keyway/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywayServer, startKeywayServer } from "../src/keyway-server.js";

const ALL = "kw_metrics_all";
const READ = "kw_metrics_read";
const INGEST = "kw_metrics_ingest";
let emulator: ProviderEmulator;
let server: KeywayServer;

beforeAll(async () => {
  emulator = await startProviderEmulator();
  server = await startKeywayServer({
    port: 0,
    dbPath: join(mkdtempSync(join(tmpdir(), "keyway-metrics-")), "keyway.db"),
    apiKeys: [ALL, { key: READ, scopes: ["read"] }, { key: INGEST, scopes: ["ingest"] }],
    metricsPort: 0,
    gateway: {
      providers: {
        groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-metrics" }] },
        anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-metrics" },
        openai: { baseURL: emulator.baseURL, apiKey: "sk-openai-metrics" },
        gemini: { baseURL: `${emulator.url}/v1beta`, apiKey: "gemini-metrics" },
      },
      env: {},
    },
  });
});
afterAll(async () => {
  await server?.close();
  await emulator?.close();
});

const post = (path: string, body: unknown, key = ALL) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("GET /metrics on keyway serve", () => {
  it("counts every face and every ingest route exactly, behind a read key or on the metrics port", async () => {
    const openai = new OpenAI({ apiKey: ALL, baseURL: `${server.url}/api`, maxRetries: 0 });
    await openai.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hello" }],
    });
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "stream" }],
      stream: true,
    });
    for await (const _ of stream);
    await openai.responses.create({ model: "gpt-4o-mini", input: "responses" });
    await openai.embeddings.create({ model: "text-embedding-3-small", input: "embed" });
    const anthropic = new Anthropic({ apiKey: ALL, baseURL: server.url, maxRetries: 0 });
    await anthropic.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 20,
      messages: [{ role: "user", content: "messages" }],
    });
    const gemini = await post("/v1beta/models/gemini-2.5-flash:generateContent", {
      contents: [{ role: "user", parts: [{ text: "gemini" }] }],
    });
    expect(gemini.status).toBe(200);

    // A door's log posted twice (the second a resend), and a batch refused whole for one bad log.
    const doorLog = {
      unique_id: "door-log-1",
      log_source: "langchain",
      model: "gpt-4o-mini",
      provider_id: "openai",
      prompt_messages: [{ role: "user", content: "from a chain" }],
      completion_message: { role: "assistant", content: "ok" },
      prompt_tokens: 7,
      completion_tokens: 2,
      latency: 0.4,
    };
    expect((await post("/api/request-logs/create/", doorLog, INGEST)).status).toBe(201);
    expect((await post("/api/request-logs/create/", doorLog, INGEST)).status).toBe(200);
    const bad = await post(
      "/api/request-logs/batch/",
      [doorLog, { ...doorLog, prompt_tokens: "many" }],
      INGEST,
    );
    expect(bad.status).toBe(400);
    await server.gateway.sink.flush();

    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const forbidden = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${INGEST}` },
    });
    expect(forbidden.status).toBe(403);
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${READ}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scraped.text();
    const scrape = parseScrape(text);

    const row = (provider: string, model: string, face: string, source = "gateway", stream = "false") =>
      `face=${face},log_source=${source},model=${model},provider=${provider},status_class=2xx,stream=${stream}`;
    expect(scrape.samples("keyway_requests_total")).toEqual({
      [row("groq", "groq/llama-3.1-8b-instant", "chat")]: 1,
      [row("openai", "gpt-4o-mini", "chat", "gateway", "true")]: 1,
      [row("openai", "gpt-4o-mini", "responses")]: 1,
      [row("openai", "text-embedding-3-small", "embeddings")]: 1,
      [row("anthropic", "claude-haiku-4-5", "messages")]: 1,
      [row("google", "gemini-2.5-flash", "gemini")]: 1,
      [row("openai", "gpt-4o-mini", "ingest", "langchain")]: 1,
    });
    expect(scrape.samples("keyway_ingest_logs_total")).toEqual({
      "result=stored,route=gateway": 6,
      "result=stored,route=single": 1,
      "result=duplicate,route=single": 1,
      "result=rejected,route=batch": 2,
    });
    // The two posts were a write each; the six gateway logs one to six (written together when calls end within
    // the sink's window); the refused batch never reached the store.
    const writes = scrape.counts("keyway_store_write_seconds")[""] ?? 0;
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(8);
    expect(scrape.samples("keyway_store_writes_in_flight")).toEqual({ "": 0 });
    expect(scrape.samples("keyway_tokens_total")["direction=input,model=gpt-4o-mini,provider=openai"]).toBe(
      7 + (await lastGatewayTokens("gpt-4o-mini")),
    );
    const keys = scrape.samples("keyway_key_up");
    expect(Object.keys(keys)).toHaveLength(4);
    expect(Object.values(keys)).toEqual([1, 1, 1, 1]);
    expect(text).not.toMatch(/gsk-metrics|sk-openai-metrics|sk-ant-metrics|gemini-metrics/);

    // The metrics port: the same text without a key, and nothing else.
    const port = `http://127.0.0.1:${server.metricsPort}`;
    const open = await fetch(`${port}/metrics`);
    expect(open.status).toBe(200);
    expect(parseScrape(await open.text()).samples("keyway_ingest_logs_total")).toEqual(
      scrape.samples("keyway_ingest_logs_total"),
    );
    expect((await fetch(`${port}/api/request-logs`)).status).toBe(404);
  });

  it("is not served when metrics are off", async () => {
    const off = await startKeywayServer({
      port: 0,
      dbPath: join(mkdtempSync(join(tmpdir(), "keyway-metrics-off-")), "keyway.db"),
      apiKeys: [ALL],
      metrics: false,
    });
    try {
      const response = await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${ALL}` } });
      expect(response.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

/** Input tokens of the gateway's gpt-4o-mini calls, as stored (what the counter must add up to). */
async function lastGatewayTokens(model: string): Promise<number> {
  const page = await server.store.list({ model }, { limit: 50 });
  return page.logs
    .filter((log) => log.log_source === "gateway")
    .reduce((sum, log) => sum + (log.prompt_tokens ?? 0), 0);
}
