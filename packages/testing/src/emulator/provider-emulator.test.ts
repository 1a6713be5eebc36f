import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../wait-for.js";
import { type ProviderEmulator, startProviderEmulator } from "./provider-emulator.js";

let emulator: ProviderEmulator;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" } },
      required: ["city"],
    },
  },
};

describe("OpenAI chat completions, driven by the official openai SDK", () => {
  const client = () => new OpenAI({ apiKey: "sk-test-1", baseURL: emulator.baseURL, maxRetries: 0 });

  it("answers deterministically with usage and stop reason", async () => {
    const completion = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello there" },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    // 4 words + 2 messages in; "Echo: hello there" is 3 words out.
    expect(completion.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    expect(completion.model).toBe("gpt-4o-mini");
    expect(emulator.requests[0]).toMatchObject({
      apiKey: "sk-test-1",
      model: "gpt-4o-mini",
      format: "openai-chat",
      stream: false,
    });
  });

  it("streams chunk by chunk and adds a usage chunk when asked", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "stream these four words" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces.join("")).toBe("Echo: stream these four words");
    expect(pieces.length).toBe(5);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5 });
  });

  it("sends no usage chunk without include_usage", async () => {
    const response = await fetch(`${emulator.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await response.text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("calls a tool named in the prompt, non-stream and stream", async () => {
    const params = {
      model: "gpt-4o-mini",
      messages: [{ role: "user" as const, content: "use get_weather for Paris" }],
      tools: [weatherTool],
    };
    const completion = await client().chat.completions.create(params);
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({
      city: "use get_weather for Paris",
      days: 42,
    });

    const runner = client().chat.completions.stream(params);
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === "function" && streamed.function.arguments).toBe(
      call?.type === "function" && call.function.arguments,
    );
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("answers a tool result and honours max_tokens with finish length", async () => {
    const afterTool = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "user", content: "use get_weather" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "sunny 21C" },
      ],
      tools: [weatherTool],
    });
    expect(afterTool.choices[0]?.message.content).toBe("Tool result: sunny 21C");
    const cut = await client().chat.completions.create({
      model: "gpt-4o-mini",
      max_tokens: 2,
      messages: [{ role: "user", content: "a long reply please" }],
    });
    expect(cut.choices[0]?.message.content).toBe("Echo: a");
    expect(cut.choices[0]?.finish_reason).toBe("length");
  });

  it("fills a structured-output schema and counts images", async () => {
    const completion = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "describe" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
      ],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "x",
          schema: {
            type: "object",
            properties: { title: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
          },
        },
      },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({
      title: "describe",
      tags: ["describe"],
    });
    const plain = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
      ],
    });
    expect(plain.choices[0]?.message.content).toBe("Echo: look (saw 1 image)");
  });

  it("is reachable under the Groq and Fireworks base paths", async () => {
    for (const base of ["/openai/v1", "/inference/v1"]) {
      const groq = new OpenAI({ apiKey: "gsk", baseURL: `${emulator.url}${base}`, maxRetries: 0 });
      const completion = await groq.chat.completions.create({
        model: "llama-3.1-8b-instant",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(completion.choices[0]?.message.content).toBe("Echo: hi");
    }
    expect(emulator.requests.map((request) => request.path)).toEqual([
      "/openai/v1/chat/completions",
      "/inference/v1/chat/completions",
    ]);
  });

  it("reports cached prompt tokens when a prompt_cache_key is sent", async () => {
    const completion = await client().chat.completions.create({
      model: "gpt-4o-mini",
      prompt_cache_key: "k1",
      messages: [{ role: "user", content: "one two three four five" }],
    });
    expect(completion.usage?.prompt_tokens).toBe(6);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
  });
});

describe("Anthropic messages, driven by the official @anthropic-ai/sdk", () => {
  const client = () => new Anthropic({ apiKey: "sk-ant-1", baseURL: emulator.url, maxRetries: 0 });

  it("answers with content, usage and stop reason", async () => {
    const message = await client().messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      system: "be brief",
      messages: [{ role: "user", content: "hello claude" }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Echo: hello claude" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: 6, output_tokens: 3 });
    expect(emulator.requests[0]).toMatchObject({ apiKey: "sk-ant-1", format: "anthropic-messages" });
    expect(emulator.requests[0]?.headers["anthropic-version"]).toBeDefined();
  });

  it("streams the real event sequence", async () => {
    const stream = client().messages.stream({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "stream to me" }],
    });
    const texts: string[] = [];
    stream.on("text", (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts.join("")).toBe("Echo: stream to me");
    expect(final.usage.output_tokens).toBe(4);
    expect(final.stop_reason).toBe("end_turn");
    const raw = await fetch(`${emulator.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({
        model: "c",
        max_tokens: 9,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const names = [...(await raw.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(names).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("uses tools, streamed and not, and separates cached input", async () => {
    const params = {
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      system: [
        {
          type: "text" as const,
          text: "cached system prompt here",
          cache_control: { type: "ephemeral" as const },
        },
      ],
      tools: [
        {
          name: "lookup",
          description: "look up",
          input_schema: { type: "object" as const, properties: { q: { type: "string" } } },
        },
      ],
      messages: [{ role: "user" as const, content: "please lookup cats" }],
    };
    const message = await client().messages.create(params);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[0]).toMatchObject({
      type: "tool_use",
      name: "lookup",
      input: { q: "please lookup cats" },
    });
    // 7 words + 2 messages = 9 prompt tokens, half of them (4) reported as cache reads, the rest as input.
    expect(message.usage).toMatchObject({ input_tokens: 5, cache_read_input_tokens: 4 });
    const streamed = await client().messages.stream(params).finalMessage();
    expect(streamed.content).toEqual(message.content);
  });

  it("requires max_tokens and an API key, in Anthropic's error shape", async () => {
    const response = await fetch(`${emulator.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "max_tokens: Field required" },
    });
    const noKey = await fetch(`${emulator.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
    });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string } }).error.type).toBe("authentication_error");
  });
});

describe("scripted faults", () => {
  const openai = (apiKey = "k1") => new OpenAI({ apiKey, baseURL: emulator.baseURL, maxRetries: 0 });
  const ask = (client: OpenAI, model = "m") =>
    client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });

  it("answers 429 with Retry-After for one key only, the given number of times", async () => {
    emulator.fault({ match: { apiKey: "k1" }, status: 429, retryAfter: 7, times: 1 });
    const error = await ask(openai("k1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("7");
    expect((await ask(openai("k2"))).choices[0]?.message.content).toBe("Echo: hi");
    expect((await ask(openai("k1"))).choices[0]?.message.content).toBe("Echo: hi");
    expect(emulator.requestsWithKey("k1").map((request) => request.status)).toEqual([429, 200]);
  });

  it("answers 500 and 503 per model, and 401 for keys outside validKeys", async () => {
    emulator.fault({ match: { model: "bad" }, status: 503 });
    await expect(ask(openai(), "bad")).rejects.toMatchObject({ status: 503 });
    await expect(ask(openai(), "good")).resolves.toBeDefined();
    const strict = await startProviderEmulator({ validKeys: ["right"] });
    try {
      const client = new OpenAI({ apiKey: "wrong", baseURL: strict.baseURL, maxRetries: 0 });
      await expect(ask(client)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    } finally {
      await strict.close();
    }
  });

  it("delays headers and chunks", async () => {
    emulator.fault({ headerDelayMs: 60, chunkDelayMs: 15, times: 1 });
    const started = performance.now();
    const stream = await openai().chat.completions.create({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "a b c" }],
    });
    const firstChunkAt: number[] = [];
    for await (const _ of stream) firstChunkAt.push(performance.now() - started);
    expect(firstChunkAt[0]).toBeGreaterThanOrEqual(55);
    expect((firstChunkAt.at(-1) ?? 0) - (firstChunkAt[0] ?? 0)).toBeGreaterThanOrEqual(40);
  });

  it("resets the connection mid-stream", async () => {
    emulator.fault({ resetAfterChunks: 2, times: 1 });
    const stream = await openai().chat.completions.create({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "one two three four" }],
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
      })(),
    ).rejects.toThrow();
    expect(received.length).toBe(2);
  });

  it("sends malformed JSON", async () => {
    emulator.fault({ malformed: true, times: 1 });
    await expect(ask(openai())).rejects.toThrow();
  });

  it("records a client that goes away mid-stream", async () => {
    emulator.fault({ chunkDelayMs: 50, times: 1 });
    const controller = new AbortController();
    const stream = await openai().chat.completions.create(
      { model: "m", stream: true, messages: [{ role: "user", content: "one two three four five" }] },
      { signal: controller.signal },
    );
    await (async () => {
      for await (const _ of stream) controller.abort();
    })().catch(() => undefined);
    await waitFor(() => emulator.requests[0]?.clientClosed);
    expect(emulator.requests[0]?.clientClosed).toBe(true);
    expect(emulator.requests[0]?.completed).toBe(false);
  });

  it("lists models", async () => {
    const models = await openai().models.list();
    expect(models.data.map((model) => model.id)).toContain("gpt-4o-mini");
  });
});
