import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, type Gateway, MemoryLogSink, runWithContext } from "@keyway/core";
import { type KeywayServer, startKeywayServer } from "@keyway/server";
import { type ProviderEmulator, startProviderEmulator, waitFor } from "@keyway/testing";
import { APICallError, generateObject, generateText, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createKeyway } from "../src/index.js";

let emulator: ProviderEmulator;
let sink: MemoryLogSink;
let gateway: Gateway;
let keyway: ReturnType<typeof createKeyway>;
beforeAll(async () => {
  emulator = await startProviderEmulator();
  sink = new MemoryLogSink();
  gateway = createGateway({
    providers: {
      groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-ai-a" }] },
      anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-ai" },
    },
    sink,
    env: {},
    retry: { retries: 1, baseDelayMs: 1 },
  });
  keyway = createKeyway({ gateway });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  sink.clear();
});

const weather = tool({
  description: "Weather for a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});

describe("@keyway/ai-sdk, direct mode, with the real ai package", () => {
  it("generateText: text, usage, finish reason, and one log", async () => {
    const result = await generateText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "hello ai sdk",
      providerOptions: { keyway: { customer_identifier: "ai-cust", metadata: { feature: "x" } } },
    });
    expect(result.text).toBe("Echo: hello ai sdk");
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toMatchObject({ inputTokens: 4, outputTokens: 4 });
    expect(sink.logs).toHaveLength(1);
    expect(sink.logs[0]).toMatchObject({
      log_source: "ai-sdk",
      model: "groq/llama-3.1-8b-instant",
      provider_id: "groq",
      customer_params: { customer_identifier: "ai-cust" },
      metadata: { feature: "x" },
      completion_message: { content: "Echo: hello ai sdk" },
    });
    expect(emulator.requests[0]?.body).not.toHaveProperty("customer_identifier");
  });

  it("streamText: text deltas, tool-call deltas and onFinish usage", async () => {
    let finishUsage: unknown;
    const result = streamText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "stream with ai sdk",
      onFinish: ({ usage }) => {
        finishUsage = usage;
      },
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("Echo: stream with ai sdk");
    expect(deltas.length).toBeGreaterThan(2);
    expect(finishUsage).toMatchObject({ inputTokens: 5, outputTokens: 5 });

    const withTool = streamText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "use weather for Kyiv",
      tools: { weather },
    });
    const kinds = new Set<string>();
    for await (const part of withTool.fullStream) kinds.add(part.type);
    expect(kinds).toContain("tool-input-delta");
    expect(kinds).toContain("tool-call");
    expect((await withTool.toolCalls)[0]).toMatchObject({
      toolName: "weather",
      input: { city: "use weather for Kyiv" },
    });
    await waitFor(() => sink.logs.length === 2);
    expect(sink.logs.map((log) => [log.stream, log.log_source])).toEqual([
      [true, "ai-sdk"],
      [true, "ai-sdk"],
    ]);
    expect(sink.logs[0]?.time_to_first_token).toBeGreaterThanOrEqual(0);
  });

  it("generateObject fills a zod schema", async () => {
    const { object } = await generateObject({
      model: keyway("groq/llama-3.1-8b-instant"),
      schema: z.object({ name: z.string(), age: z.number() }),
      prompt: "Ada",
    });
    expect(object).toEqual({ name: "Ada", age: 42 });
  });

  it("runs a two-step tool loop, one log per model call", async () => {
    const result = await generateText({
      model: keyway("claude-sonnet-4-5"),
      tools: { weather },
      stopWhen: stepCountIs(3),
      prompt: "use weather for Lagos",
    });
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe("Tool result: sunny in use weather for Lagos");
    expect(sink.logs).toHaveLength(2);
    expect(sink.logs.map((log) => log.provider_id)).toEqual(["anthropic", "anthropic"]);
    expect(sink.logs[1]?.prompt_messages?.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "tool",
    ]);
  });

  it("aborts mid-stream: the upstream is closed and the log says so", async () => {
    emulator.fault({ chunkDelayMs: 80, times: 1 });
    const controller = new AbortController();
    const result = streamText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "a b c d e f g",
      abortSignal: controller.signal,
    });
    for await (const _ of result.textStream) controller.abort();
    await waitFor(() => emulator.requests[0]?.clientClosed);
    await waitFor(() => sink.logs.length === 1);
    expect(sink.logs[0]).toMatchObject({ status: "error", status_code: 499 });
  });

  it("uses BYOK keys per call and falls back to a second model after a 503", async () => {
    await generateText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "byok",
      providerOptions: { keyway: { customer_credentials: { groq: { api_key: "gsk-caller-own" } } } },
    });
    expect(emulator.requests[0]?.apiKey).toBe("gsk-caller-own");
    emulator.reset();
    emulator.fault({ match: { model: "llama-3.1-8b-instant" }, status: 503 });
    const result = await generateText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "fall back",
      providerOptions: { keyway: { fallback_models: ["claude-sonnet-4-5"] } },
    });
    expect(result.text).toBe("Echo: fall back");
    expect(sink.logs.at(-1)).toMatchObject({
      model: "claude-sonnet-4-5",
      fallback_from: ["groq/llama-3.1-8b-instant"],
    });
    emulator.clearFaults();
  });

  it("raises APICallError with the upstream status, so ai's retries apply", async () => {
    emulator.fault({ status: 429, retryAfter: 0, times: 2 });
    const rateLimited = await generateText({
      model: keyway("groq/llama-3.1-8b-instant"),
      prompt: "x",
      maxRetries: 0,
    }).catch((error: unknown) => error);
    expect(APICallError.isInstance(rateLimited)).toBe(true);
    expect(rateLimited).toMatchObject({ statusCode: 429, isRetryable: true });
    const unknown = await generateText({ model: keyway("nobody/knows"), prompt: "x", maxRetries: 0 }).catch(
      (error: unknown) => error,
    );
    expect(unknown).toMatchObject({ statusCode: 400, isRetryable: false });
    expect((unknown as Error).message).toContain('Unknown model "nobody/knows"');
  });

  it("takes defaults from the Keyway context", async () => {
    await runWithContext(
      { customer_params: { customer_identifier: "ctx-user" }, thread_identifier: "ctx-thread" },
      () => generateText({ model: keyway("groq/llama-3.1-8b-instant"), prompt: "ctx" }),
    );
    expect(sink.logs[0]).toMatchObject({
      customer_params: { customer_identifier: "ctx-user" },
      thread_identifier: "ctx-thread",
    });
  });
});

describe("@keyway/ai-sdk, remote mode against keyway serve", () => {
  let server: KeywayServer;
  beforeAll(async () => {
    server = await startKeywayServer({
      port: 0,
      dbPath: join(mkdtempSync(join(tmpdir(), "keyway-ai-remote-")), "keyway.db"),
      apiKeys: ["kw_remote"],
      gateway: {
        providers: { groq: { baseURL: `${emulator.url}/openai/v1`, apiKey: "gsk-server" } },
        env: {},
      },
    });
  });
  afterAll(() => server.close());

  it("routes through the server's gateway with the context in the body, and the server logs it", async () => {
    const remote = createKeyway({ baseURL: `${server.url}/api`, apiKey: "kw_remote" });
    const result = await runWithContext(
      { customer_params: { customer_identifier: "remote-user" }, metadata: { via: "context" } },
      () =>
        generateText({
          model: remote("groq/llama-3.1-8b-instant"),
          prompt: "remote hello",
          providerOptions: { keyway: { thread_identifier: "remote-thread" } },
        }),
    );
    expect(result.text).toBe("Echo: remote hello");
    const stream = streamText({ model: remote("groq/llama-3.1-8b-instant"), prompt: "remote stream" });
    expect(await stream.text).toBe("Echo: remote stream");
    await waitFor(
      async () => (await server.store.list({ logSource: "ai-sdk" }, { limit: 10 })).logs.length === 2,
    );
    const page = await server.store.list({ logSource: "ai-sdk" }, { limit: 10 });
    expect(page.logs.map((log) => log.stream)).toEqual([true, false]);
    expect(page.logs[1]).toMatchObject({
      customer_params: { customer_identifier: "remote-user" },
      metadata: { via: "context" },
      thread_identifier: "remote-thread",
      provider_id: "groq",
    });
    const refused = await generateText({
      model: createKeyway({ baseURL: `${server.url}/api`, apiKey: "wrong" })("groq/llama-3.1-8b-instant"),
      prompt: "x",
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 401 });
  });
});
