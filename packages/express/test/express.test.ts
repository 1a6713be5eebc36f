import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { GoogleGenAI } from "@google/genai";
import { createGateway, type Gateway, KeywayError, MemoryLogSink } from "@keyway/core";
import { type ProviderEmulator, startProviderEmulator, waitFor } from "@keyway/testing";
import { generateText, streamText } from "ai";
import express, { type NextFunction, type Request, type Response } from "express";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keyway, keywayErrorHandler, keywayGateway } from "../src/index.js";

let emulator: ProviderEmulator;
let sink: MemoryLogSink;
let gateway: Gateway;
let server: Server;
let url: string;
const appErrors: unknown[] = [];

beforeAll(async () => {
  emulator = await startProviderEmulator();
  sink = new MemoryLogSink();
  gateway = createGateway({
    providers: {
      groq: { baseURL: `${emulator.url}/openai/v1`, apiKey: "gsk-express" },
      anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant-express" },
      openai: { baseURL: emulator.baseURL, apiKey: "sk-openai-express" },
      google: { baseURL: `${emulator.url}/v1beta`, apiKey: "gemini-express" },
    },
    sink,
    env: {},
    retry: { retries: 0 },
  });
  const app = express();
  // A middleware that wraps res.write, as compression or metrics middleware do.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    (res as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) =>
      write(...args);
    next();
  });
  app.use(
    keyway({
      gateway,
      customer: (req) => req.header("x-user"),
      metadata: (req) => ({ path: req.path }),
      thread: (req) => req.header("x-thread"),
      acceptCredentialHeaders: true,
    }),
  );
  app.post("/ask", express.json(), async (req: Request, res: Response, next: NextFunction) => {
    try {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
      const viaRequest = await req.keyway?.chat({
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: req.body.question }],
      });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
      // A call through the plain gateway still picks up the request's context across awaits.
      await gateway.chat({
        model: "claude-sonnet-4-5",
        messages: [{ role: "user", content: "second call" }],
      });
      res.json({ answer: viaRequest?.choices[0]?.message.content });
    } catch (error) {
      next(error);
    }
  });
  app.use("/llm", keywayGateway({ gateway }));
  app.use("/parsed", express.json(), keywayGateway({ gateway }));
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    appErrors.push(error);
    next(error);
  });
  app.use(keywayErrorHandler());
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await emulator.close();
});
beforeEach(() => {
  sink.clear();
  emulator.reset();
  appErrors.length = 0;
});

describe("@keyway/express", () => {
  it("serves the AI SDK's own providers at the mount: @ai-sdk/openai (Responses) and @ai-sdk/anthropic (Messages)", async () => {
    const openai = createOpenAI({ baseURL: `${url}/llm`, apiKey: "app-user-token" });
    const generated = await generateText({
      model: openai("groq/llama-3.1-8b-instant"),
      prompt: "express responses",
    });
    expect(generated.text).toBe("Echo: express responses");
    const streamed = streamText({ model: openai("claude-sonnet-4-5"), prompt: "express responses stream" });
    expect(await streamed.text).toBe("Echo: express responses stream");
    const anthropic = createAnthropic({ baseURL: `${url}/llm/v1`, apiKey: "app-user-token" });
    const message = await generateText({ model: anthropic("claude-sonnet-4-5"), prompt: "express messages" });
    expect(message.text).toBe("Echo: express messages");
    const messageStream = streamText({
      model: anthropic("groq/llama-3.1-8b-instant"),
      prompt: "express messages stream",
    });
    expect(await messageStream.text).toBe("Echo: express messages stream");
    expect(sink.logs.map((log) => [log.log_source, log.log_type, log.stream])).toEqual([
      ["express", "response", false],
      ["express", "response", true],
      ["express", "chat", false],
      ["express", "chat", true],
    ]);
  });

  it("serves @google/genai at the mount (with or without a body parser), a Gemini model and a groq one, and a function call round trip", async () => {
    for (const mount of ["/llm", "/parsed"]) {
      const ai = new GoogleGenAI({ apiKey: "app-user-token", httpOptions: { baseUrl: `${url}${mount}` } });
      const answer = await ai.models.generateContent({
        model: "gemini-2.5-flash",
        contents: "express gemini",
      });
      expect(answer.text).toBe("Echo: express gemini");
      let text = "";
      for await (const chunk of await ai.models.generateContentStream({
        model: "groq/llama-3.1-8b-instant",
        contents: "express gemini stream",
      }))
        text += chunk.text ?? "";
      expect(text).toBe("Echo: express gemini stream");
    }
    const ai = new GoogleGenAI({ apiKey: "app-user-token", httpOptions: { baseUrl: `${url}/llm` } });
    const tools = [
      {
        functionDeclarations: [
          {
            name: "lookup",
            parametersJsonSchema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
          },
        ],
      },
    ];
    const ask = { role: "user", parts: [{ text: "use lookup for keyway" }] };
    const first = await ai.models.generateContent({
      model: "groq/llama-3.1-8b-instant",
      contents: [ask],
      config: { tools },
    });
    const call = first.functionCalls?.[0];
    expect(call?.name).toBe("lookup");
    const second = await ai.models.generateContent({
      model: "groq/llama-3.1-8b-instant",
      contents: [
        ask,
        first.candidates?.[0]?.content ?? {},
        {
          role: "user",
          parts: [{ functionResponse: { id: call?.id, name: "lookup", response: { result: "found" } } }],
        },
      ],
      config: { tools },
    });
    expect(second.text).toContain("found");
    expect(sink.logs.map((log) => [log.log_source, log.model, log.stream])).toEqual([
      ["express", "gemini-2.5-flash", false],
      ["express", "groq/llama-3.1-8b-instant", true],
      ["express", "gemini-2.5-flash", false],
      ["express", "groq/llama-3.1-8b-instant", true],
      ["express", "groq/llama-3.1-8b-instant", false],
      ["express", "groq/llama-3.1-8b-instant", false],
    ]);
    expect(emulator.requests.filter((r) => r.format === "google-gemini").map((r) => r.apiKey)).toEqual([
      "gemini-express",
      "gemini-express",
    ]);
  });

  it("serves embeddings wherever the mounted gateway's clients land (…/llm/embeddings, …/llm/v1/embeddings)", async () => {
    for (const base of ["/llm", "/llm/v1", "/parsed"]) {
      const client = new OpenAI({ apiKey: "app-user-token", baseURL: `${url}${base}`, maxRetries: 0 });
      const answer = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
      expect(answer.data).toHaveLength(2);
    }
    expect(sink.logs.map((log) => [log.log_source, log.log_type])).toEqual([
      ["express", "embedding"],
      ["express", "embedding"],
      ["express", "embedding"],
    ]);
  });

  it("serves the mounted gateway to the official openai SDK, stream and non-stream, with or without a body parser", async () => {
    for (const base of ["/llm", "/parsed"]) {
      const client = new OpenAI({ apiKey: "app-user-token", baseURL: `${url}${base}`, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: `hi ${base}` }],
      });
      expect(completion.choices[0]?.message.content).toBe(`Echo: hi ${base}`);
      const stream = await client.chat.completions.create({
        model: "claude-sonnet-4-5",
        stream: true,
        messages: [{ role: "user", content: "stream it" }],
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe("Echo: stream it");
    }
    expect(sink.logs.map((log) => [log.log_source, log.stream])).toEqual([
      ["express", false],
      ["express", true],
      ["express", false],
      ["express", true],
    ]);
  });

  it("logs the request's customer, metadata and thread on calls made in the handler", async () => {
    const response = await fetch(`${url}/ask`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user": "user-7", "x-thread": "th-1" },
      body: JSON.stringify({ question: "what?" }),
    });
    expect(await response.json()).toEqual({ answer: "Echo: what?" });
    expect(sink.logs).toHaveLength(2);
    for (const log of sink.logs)
      expect(log).toMatchObject({
        customer_params: { customer_identifier: "user-7" },
        metadata: { path: "/ask" },
        thread_identifier: "th-1",
      });
    expect(sink.logs[0]?.log_source).toBe("express");
    expect(sink.logs[0]?.trace_unique_id).toBe(sink.logs[1]?.trace_unique_id);
  });

  it("keeps 100 concurrent requests' contexts apart", async () => {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${url}/ask`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-user": `user-${i}` },
          body: JSON.stringify({ question: `q-${i}` }),
        }),
      ),
    );
    expect(sink.logs).toHaveLength(200);
    for (const log of sink.logs) {
      const question = String(log.prompt_messages?.[0]?.content).replace("q-", "");
      if (question !== "second call")
        expect(log.customer_params?.customer_identifier).toBe(`user-${question}`);
    }
    const perCustomer = new Map<string, number>();
    for (const log of sink.logs)
      perCustomer.set(
        String(log.customer_params?.customer_identifier),
        (perCustomer.get(String(log.customer_params?.customer_identifier)) ?? 0) + 1,
      );
    expect([...perCustomer.values()].every((count) => count === 2)).toBe(true);
    expect(perCustomer.size).toBe(100);
  });

  it("takes BYOK keys from headers when allowed", async () => {
    const credentials = Buffer.from(
      JSON.stringify({ groq: { api_key: "gsk-from-customer-header" } }),
    ).toString("base64");
    await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-keyway-customer-credentials": credentials,
        "x-keyway-customer-id": "hdr-cust",
      },
      body: JSON.stringify({
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: "byok" }],
      }),
    });
    expect(emulator.requests[0]?.apiKey).toBe("gsk-from-customer-header");
    expect(sink.logs[0]?.customer_params).toEqual({ customer_identifier: "hdr-cust" });
    expect(JSON.stringify(sink.logs)).not.toContain("gsk-from-customer-header");
  });

  it("aborts the upstream when the client disconnects mid-stream, and logs the cancellation", async () => {
    emulator.fault({ chunkDelayMs: 80, times: 1 });
    const controller = new AbortController();
    const response = await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "groq/llama-3.1-8b-instant",
        stream: true,
        messages: [{ role: "user", content: "a b c d e f g" }],
      }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await waitFor(() => emulator.requests[0]?.clientClosed);
    await waitFor(() => sink.logs.length === 1);
    expect(sink.logs[0]).toMatchObject({ status: "error", status_code: 499, stream: true });
  });

  it("sends bad bodies to next(err) as typed KeywayErrors with a status", async () => {
    const post = (body: string, path = "/llm/chat/completions") =>
      fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const malformed = await post("{oops");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    const noModel = await post(JSON.stringify({ messages: [{ role: "user", content: "x" }] }));
    expect(noModel.status).toBe(400);
    const unknown = await post(
      JSON.stringify({ model: "who/knows", messages: [{ role: "user", content: "x" }] }),
    );
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("unknown_model");
    const badHeader = await fetch(`${url}/llm/chat/completions`, {
      method: "POST",
      headers: { "x-keyway-customer-credentials": "!!notbase64json" },
      body: "{}",
    });
    expect(badHeader.status).toBe(400);
    // Behind the Messages route the error is in Anthropic's shape, as the Anthropic SDK reads it.
    const anthropicShaped = await post("{oops", "/llm/v1/messages");
    expect(anthropicShaped.status).toBe(400);
    expect(await anthropicShaped.json()).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", code: "invalid_json" },
    });
    expect(appErrors).toHaveLength(5);
    for (const error of appErrors) {
      expect(KeywayError.isInstance(error)).toBe(true);
      expect((error as KeywayError).status).toBe(400);
    }
  });
});
