import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import { createGateway, type Gateway, KeywayError, MemoryLogSink } from "@keyway/core";
import { type ProviderEmulator, startProviderEmulator, waitFor } from "@keyway/testing";
import { bodyParser } from "@koa/bodyparser";
import Koa from "koa";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keyway, keywayGateway } from "../src/index.js";

let emulator: ProviderEmulator;
let sink: MemoryLogSink;
let gateway: Gateway;
let server: Server;
let parsedServer: Server;
let url: string;
let parsedUrl: string;
const appErrors: unknown[] = [];

async function listen(app: Koa): Promise<[Server, string]> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  emulator = await startProviderEmulator();
  sink = new MemoryLogSink();
  gateway = createGateway({
    providers: {
      groq: { baseURL: `${emulator.url}/openai/v1`, apiKey: "gsk-koa" },
      anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-koa" },
    },
    sink,
    env: {},
    retry: { retries: 0 },
  });
  const app = new Koa();
  app.silent = true;
  app.on("error", (error) => appErrors.push(error));
  app.use(
    keyway({
      gateway,
      customer: (ctx) => ctx.get("x-user") || undefined,
      metadata: (ctx) => ({ path: ctx.path }),
      acceptCredentialHeaders: true,
    }),
  );
  app.use(keywayGateway({ gateway, prefix: "/llm" }));
  app.use(async (ctx) => {
    if (ctx.path !== "/ask") return;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    const answer = await ctx.state.keyway?.chat({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: String(ctx.query.q) }],
    });
    await gateway.chat({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "second call" }] });
    ctx.body = { answer: answer?.choices[0]?.message.content };
  });
  [server, url] = await listen(app);
  const parsed = new Koa();
  parsed.silent = true;
  parsed.use(bodyParser()).use(keywayGateway({ gateway }));
  [parsedServer, parsedUrl] = await listen(parsed);
});
afterAll(async () => {
  for (const s of [server, parsedServer]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  await emulator.close();
});
beforeEach(() => {
  sink.clear();
  emulator.reset();
  appErrors.length = 0;
});

describe("@keyway/koa", () => {
  it("serves every client API under the prefix: Responses, Messages (Anthropic error shape) and embeddings", async () => {
    const openai = new OpenAI({ apiKey: "u", baseURL: `${url}/llm`, maxRetries: 0 });
    const response = await openai.responses.create({
      model: "groq/llama-3.1-8b-instant",
      input: "koa responses",
    });
    expect(response.output_text).toBe("Echo: koa responses");
    const anthropic = new Anthropic({ apiKey: "u", baseURL: `${url}/llm`, maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      messages: [{ role: "user", content: "koa messages" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Echo: koa messages" }]);
    const refused = await anthropic.messages
      .create({ model: "nobody/knows", max_tokens: 8, messages: [{ role: "user", content: "x" }] })
      .catch((error: unknown) => error);
    expect((refused as { error: unknown }).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error" },
    });
    expect(sink.logs.map((log) => [log.log_source, log.log_type])).toEqual([
      ["koa", "response"],
      ["koa", "chat"],
      ["koa", "chat"],
    ]);
  });

  it("serves Gemini's generateContent under the prefix: JSON, an alt=sse stream and Google-shaped errors", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${url}/llm${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": "u" },
        body: JSON.stringify(body),
      });
    const contents = [{ role: "user", parts: [{ text: "koa gemini" }] }];
    const answer = await post("/v1beta/models/groq%2Fllama-3.1-8b-instant:generateContent", { contents });
    expect(await answer.json()).toMatchObject({
      candidates: [
        { content: { role: "model", parts: [{ text: "Echo: koa gemini" }] }, finishReason: "STOP" },
      ],
      usageMetadata: { candidatesTokenCount: 3 },
    });
    const stream = await post("/v1/models/groq/llama-3.1-8b-instant:streamGenerateContent?alt=sse", {
      contents,
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const events = (await stream.text())
      .split("\n\n")
      .filter((frame) => frame.startsWith("data: "))
      .map((frame) => JSON.parse(frame.slice(6)));
    expect(events.map((event) => event.candidates[0].content.parts[0].text).join("")).toBe(
      "Echo: koa gemini",
    );
    expect(events.at(-1)).toMatchObject({
      candidates: [{ finishReason: "STOP" }],
      usageMetadata: { totalTokenCount: expect.any(Number) },
    });
    const refused = await post("/v1beta/models/nobody/knows:generateContent", { contents });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    expect(sink.logs.map((log) => [log.log_source, log.model, log.stream])).toEqual([
      ["koa", "groq/llama-3.1-8b-instant", false],
      ["koa", "groq/llama-3.1-8b-instant", true],
      ["koa", "nobody/knows", false],
    ]);
  });

  it("serves the gateway to the official openai SDK, stream and non-stream, with or without a body parser", async () => {
    for (const base of [`${url}/llm`, parsedUrl]) {
      const client = new OpenAI({ apiKey: "x", baseURL: base, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: "hi koa" }],
      });
      expect(completion.choices[0]?.message.content).toBe("Echo: hi koa");
      const stream = await client.chat.completions.create({
        model: "claude-sonnet-4-5",
        stream: true,
        messages: [{ role: "user", content: "koa stream" }],
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe("Echo: koa stream");
    }
    expect(sink.logs.map((log) => log.log_source)).toEqual(["koa", "koa", "koa", "koa"]);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
  });

  it("keeps 100 concurrent requests' contexts apart", async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${url}/ask?q=q-${i}`, { headers: { "x-user": `user-${i}` } }).then((r) => r.json()),
      ),
    );
    expect(answers[42]).toEqual({ answer: "Echo: q-42" });
    expect(sink.logs).toHaveLength(200);
    const byCustomer = new Map<string, string[]>();
    for (const log of sink.logs) {
      const customer = String(log.customer_params?.customer_identifier);
      byCustomer.set(customer, [
        ...(byCustomer.get(customer) ?? []),
        String(log.prompt_messages?.[0]?.content),
      ]);
      expect(log.metadata).toEqual({ path: "/ask" });
    }
    expect(byCustomer.size).toBe(100);
    for (const [customer, prompts] of byCustomer)
      expect(prompts.sort()).toEqual([`q-${customer.slice(5)}`, "second call"].sort());
  });

  it("aborts the upstream when the client disconnects mid-stream", async () => {
    emulator.fault({ chunkDelayMs: 80, times: 1 });
    const controller = new AbortController();
    const response = await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "groq/llama-3.1-8b-instant",
        stream: true,
        messages: [{ role: "user", content: "a b c d e f" }],
      }),
      signal: controller.signal,
    });
    await response.body?.getReader().read();
    controller.abort();
    await waitFor(() => emulator.requests[0]?.clientClosed);
    await waitFor(() => sink.logs.length === 1);
    expect(sink.logs[0]).toMatchObject({ status: "error", status_code: 499 });
  });

  it("answers bad bodies with OpenAI-shaped errors and emits them on the app as KeywayErrors", async () => {
    const malformed = await fetch(`${url}/llm/chat/completions`, { method: "POST", body: "{nope" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    const unknown = await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "x/y", messages: [{ role: "user", content: "x" }] }),
    });
    expect(unknown.status).toBe(400);
    const badHeader = await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      headers: { "x-keyway-customer-credentials": "%%%" },
      body: "{}",
    });
    expect(badHeader.status).toBe(400);
    expect(appErrors).toHaveLength(3);
    expect(appErrors.every((error) => KeywayError.isInstance(error) && error.status === 400)).toBe(true);
  });
});
