import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture, serveOverHttp } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe("embeddings through the gateway", () => {
  it("answers the openai SDK's embeddings.create for a bare embedding model, and logs tokens and cost", async () => {
    fx = await gatewayFixture();
    const { client, sink, emulator } = fx;
    const single = await client.embeddings.create({ model: "text-embedding-3-small", input: "hello world" });
    expect(single.data).toHaveLength(1);
    expect(single.data[0]?.embedding).toHaveLength(8);
    expect(single.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    const many = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["one", "two three"],
      customer_identifier: "embed-user",
    } as never);
    expect(many.data.map((item) => item.index)).toEqual([0, 1]);
    expect(many.data[0]?.embedding).not.toEqual(many.data[1]?.embedding);
    expect(emulator.requests.map((request) => [request.path, request.apiKey])).toEqual([
      ["/v1/embeddings", "sk-openai-pool"],
      ["/v1/embeddings", "sk-openai-pool"],
    ]);
    // Keyway's own parameters never reach the provider.
    expect(emulator.requests[1]?.body).toEqual({
      model: "text-embedding-3-small",
      input: ["one", "two three"],
      encoding_format: "base64",
    });
    expect(sink.logs).toHaveLength(2);
    expect(sink.logs[1]).toMatchObject({
      log_type: "embedding",
      model: "text-embedding-3-small",
      provider_id: "openai",
      input: ["one", "two three"],
      output: { embeddings: 2, dimensions: 8 },
      prompt_tokens: 3,
      completion_tokens: 0,
      status: "success",
      customer_params: { customer_identifier: "embed-user" },
    });
    expect(sink.logs[1]?.cost).toBeGreaterThan(0);
  });

  it("refuses a provider without embeddings with a clear 400, and retries and falls back like chat", async () => {
    fx = await gatewayFixture();
    const { client, sink, emulator } = fx;
    const refused = await client.embeddings
      .create({ model: "groq/llama-3.1-8b-instant", input: "x" })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: "embeddings_not_supported" });
    expect(emulator.requests).toHaveLength(0);
    expect(sink.logs[0]).toMatchObject({ log_type: "embedding", status: "error", status_code: 400 });

    emulator.fault({ status: 503, times: 1 });
    const retried = await client.embeddings.create({
      model: "openai/text-embedding-3-large",
      input: "again",
    });
    expect(retried.data).toHaveLength(1);
    expect(sink.logs.at(-1)).toMatchObject({
      attempts: 2,
      status: "success",
      model: "openai/text-embedding-3-large",
    });
    const bad = await client.embeddings
      .create({ model: "text-embedding-3-small", input: [] as never })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400 });
  });

  it("serves embeddings over HTTP under any prefix", async () => {
    fx = await gatewayFixture();
    const server = await serveOverHttp(fx.gateway);
    try {
      for (const base of [`${server.url}/v1`, `${server.url}/api`, `${server.url}/llm`]) {
        const client = new OpenAI({ apiKey: "unused", baseURL: base, maxRetries: 0 });
        const answer = await client.embeddings.create({ model: "text-embedding-3-small", input: "hi" });
        expect(answer.data[0]?.embedding).toHaveLength(8);
      }
    } finally {
      await server.close();
    }
  });
});
