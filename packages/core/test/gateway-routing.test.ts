import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture, serveOverHttp } from "./gateway-helpers.js";

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture();
});
afterAll(() => fx.close());
beforeEach(() => {
  fx.emulator.reset();
  fx.sink.clear();
});

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("gateway through the official openai SDK, in process (fetch: gateway.fetch)", () => {
  it("routes an OpenAI-compatible provider, non-stream, and logs the call once", async () => {
    const completion = await fx.client.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hello groq" }],
      // @ts-expect-error Respan body extension
      customer_identifier: "cust-1",
      metadata: { plan: "pro" },
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello groq");
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });
    const upstream = fx.emulator.requests[0];
    expect(upstream).toMatchObject({
      path: "/openai/v1/chat/completions",
      apiKey: "gsk-pool-a",
      model: "llama-3.1-8b-instant",
    });
    expect(upstream?.body).not.toHaveProperty("customer_identifier");
    expect(upstream?.body).not.toHaveProperty("metadata");
    expect(fx.sink.logs).toHaveLength(1);
    const log = fx.sink.logs[0];
    expect(log).toMatchObject({
      log_source: "gateway",
      model: "groq/llama-3.1-8b-instant",
      provider_id: "groq",
      prompt_messages: [{ role: "user", content: "hello groq" }],
      completion_message: { role: "assistant", content: "Echo: hello groq" },
      prompt_tokens: 3,
      completion_tokens: 3,
      total_tokens: 6,
      stream: false,
      status_code: 200,
      status: "success",
      attempts: 1,
      credential_source: "pool",
      customer_params: { customer_identifier: "cust-1" },
      metadata: { plan: "pro" },
    });
    expect(log?.key_fingerprint).toMatch(/^key_[0-9a-f]{12}$/);
    expect(log?.cost).toBeCloseTo((3 * 0.05 + 3 * 0.08) / 1_000_000, 12);
    expect(log?.latency).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(log)).not.toContain("gsk-pool-a");
  });

  it("streams chunk by chunk, strips the injected usage chunk, and logs usage and TTFT", async () => {
    const stream = await fx.client.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      stream: true,
      messages: [{ role: "user", content: "one two three" }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two three");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(
      (fx.emulator.requests[0]?.body as { stream_options?: unknown } | undefined)?.stream_options,
    ).toEqual({
      include_usage: true,
    });
    const log = fx.sink.logs[0];
    expect(log).toMatchObject({
      stream: true,
      prompt_tokens: 4,
      completion_tokens: 4,
      completion_message: { content: "Echo: one two three" },
      finish_reason: "stop",
    });
    expect(log?.time_to_first_token).toBeGreaterThanOrEqual(0);
    expect(log?.time_to_first_token).toBeLessThanOrEqual(log?.latency ?? 0);

    const withUsage = await fx.client.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 2 });
  });

  it("passes tool calls through, non-stream and stream", async () => {
    const params = {
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user" as const, content: "use get_weather in Oslo" }],
      tools: [weather],
    };
    const completion = await fx.client.chat.completions.create(params);
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    const streamed = await fx.client.chat.completions.stream(params).finalChatCompletion();
    const streamedCall = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === "function" && JSON.parse(streamedCall.function.arguments)).toEqual({
      city: "use get_weather in Oslo",
    });
    expect(fx.sink.logs[1]).toMatchObject({
      finish_reason: "tool_calls",
      tools: [weather],
      completion_message: { tool_calls: [{ function: { name: "get_weather" } }] },
    });
  });

  it("translates to Anthropic and back, non-stream, stream and tools", async () => {
    const completion = await fx.client.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello claude" },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello claude");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 3 });
    const upstream = fx.emulator.requests[0];
    expect(upstream).toMatchObject({
      path: "/v1/messages",
      apiKey: "sk-ant-pool",
      format: "anthropic-messages",
    });
    expect(upstream?.body).toMatchObject({
      system: "be brief",
      max_tokens: 4096,
      messages: [{ role: "user", content: [{ type: "text", text: "hello claude" }] }],
    });

    const stream = await fx.client.chat.completions.create({
      model: "anthropic/claude-sonnet-4-5",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream please" }],
    });
    let text = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: stream please");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });

    const tool = await fx.client.chat.completions
      .stream({
        model: "claude-sonnet-4-5",
        messages: [{ role: "user", content: "get_weather for Rome" }],
        tools: [weather],
      })
      .finalChatCompletion();
    const call = tool.choices[0]?.message.tool_calls?.[0];
    expect(tool.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(fx.emulator.requests[2]?.body).toMatchObject({
      tools: [{ name: "get_weather", input_schema: weather.function.parameters }],
    });

    const afterTool = await fx.client.chat.completions.create({
      model: "claude-sonnet-4-5",
      max_tokens: 50,
      messages: [
        { role: "user", content: "get_weather for Rome" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "toolu_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
      ],
      tools: [weather],
    });
    expect(afterTool.choices[0]?.message.content).toBe("Tool result: sunny");
    expect(fx.emulator.requests[3]?.body).toMatchObject({
      max_tokens: 50,
      messages: [
        { role: "user" },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Rome" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
      ],
    });
    expect(fx.sink.logs.map((log) => log.provider_id)).toEqual([
      "anthropic",
      "anthropic",
      "anthropic",
      "anthropic",
    ]);
  });

  it("sends images to Anthropic as image blocks and reports cache tokens once", async () => {
    const completion = await fx.client.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: what is this (saw 1 image)");
    expect(
      (fx.emulator.requests[0]?.body as { messages: { content: unknown[] }[] } | undefined)?.messages[0]
        ?.content[1],
    ).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
    });
  });

  it("uses the key a request brings (BYOK in the body) and never logs it", async () => {
    await fx.client.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "byok" }],
      // @ts-expect-error Respan body extension
      customer_credentials: { groq: { api_key: "gsk-customer-own-key" } },
    });
    expect(fx.emulator.requests[0]?.apiKey).toBe("gsk-customer-own-key");
    expect(fx.sink.logs[0]?.credential_source).toBe("customer");
    expect(JSON.stringify(fx.sink.logs)).not.toContain("gsk-customer-own-key");
  });

  it("serves the same API over real HTTP with node:http", async () => {
    const http = await serveOverHttp(fx.gateway);
    try {
      const client = new OpenAI({ apiKey: "x", baseURL: `${http.url}/api`, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: "claude-sonnet-4-5",
        messages: [{ role: "user", content: "over http" }],
      });
      expect(completion.choices[0]?.message.content).toBe("Echo: over http");
      const stream = await client.chat.completions.create({
        model: "groq/llama-3.1-8b-instant",
        stream: true,
        messages: [{ role: "user", content: "stream over http" }],
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe("Echo: stream over http");
      const byok = await client.chat.completions.create(
        { model: "groq/llama-3.1-8b-instant", messages: [{ role: "user", content: "hi" }] },
        {
          headers: {
            "X-Data-Respan-Params": Buffer.from(
              JSON.stringify({
                customer_credentials: { groq: { api_key: "gsk-from-header" } },
                customer_identifier: "hdr",
              }),
            ).toString("base64"),
          },
        },
      );
      expect(byok.choices[0]?.message.content).toBe("Echo: hi");
      expect(fx.emulator.requests.at(-1)?.apiKey).toBe("gsk-from-header");
      expect(fx.sink.logs.at(-1)?.customer_params).toEqual({ customer_identifier: "hdr" });
      const models = await client.models.list();
      expect(models.data).toEqual([]);
    } finally {
      await http.close();
    }
  });

  it("takes params from body over respan_params over the header", async () => {
    const header = Buffer.from(
      JSON.stringify({
        customer_identifier: "from-header",
        thread_identifier: "thread-h",
        custom_identifier: "c-h",
      }),
    ).toString("base64");
    await fx.client.chat.completions.create(
      {
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: "p" }],
        // @ts-expect-error Respan body extensions
        respan_params: { customer_identifier: "from-respan-params", thread_identifier: "thread-r" },
        customer_identifier: "from-body",
      },
      { headers: { "x-data-respan-params": header } },
    );
    expect(fx.sink.logs[0]).toMatchObject({
      customer_params: { customer_identifier: "from-body" },
      thread_identifier: "thread-r",
      custom_identifier: "c-h",
    });
  });

  it("pins the provider with X-Respan-Route-Provider", async () => {
    await fx.client.chat.completions.create(
      { model: "llama-3.1-8b-instant", messages: [{ role: "user", content: "pin" }] },
      { headers: { "X-Respan-Route-Provider": "fireworks" } },
    );
    expect(fx.emulator.requests[0]).toMatchObject({
      path: "/inference/v1/chat/completions",
      apiKey: "fw-pool",
    });
  });
});
