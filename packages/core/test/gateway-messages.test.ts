import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture, serveOverHttp } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const anthropicClient = (fixture: GatewayFixture) =>
  new Anthropic({
    apiKey: "unused",
    baseURL: "http://keyway.local",
    fetch: fixture.gateway.fetch,
    maxRetries: 0,
  });

const weather = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
};

describe("Anthropic's Messages API through the gateway", () => {
  for (const model of ["claude-sonnet-4-5", "groq/llama-3.1-8b-instant"]) {
    it(`messages.create and messages.stream for ${model}`, async () => {
      fx = await gatewayFixture();
      const client = anthropicClient(fx);
      const message = await client.messages.create({
        model,
        max_tokens: 256,
        system: "be brief",
        messages: [{ role: "user", content: "hello messages" }],
      });
      expect(message).toMatchObject({
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "text", text: "Echo: hello messages" }],
        stop_reason: "end_turn",
      });
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      expect(message.usage.output_tokens).toBe(3);

      const stream = client.messages.stream({
        model,
        max_tokens: 256,
        messages: [{ role: "user", content: "stream these words" }],
      });
      const deltas: string[] = [];
      stream.on("text", (text) => deltas.push(text));
      const final = await stream.finalMessage();
      expect(deltas.join("")).toBe("Echo: stream these words");
      expect(final.content).toEqual([{ type: "text", text: "Echo: stream these words" }]);
      expect(final.stop_reason).toBe("end_turn");
      expect(final.usage.output_tokens).toBe(4);

      const logs = fx.sink.logs;
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatchObject({
        log_type: "chat",
        model,
        prompt_messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello messages" },
        ],
        completion_message: { content: "Echo: hello messages" },
        completion_tokens: 3,
        stream: false,
      });
      expect(logs[1]).toMatchObject({ stream: true, completion_tokens: 4 });
      expect(logs[1]?.time_to_first_token).toBeGreaterThanOrEqual(0);
    });

    it(`a tool call round trip for ${model}, streamed and not`, async () => {
      fx = await gatewayFixture();
      const client = anthropicClient(fx);
      const ask = { role: "user" as const, content: "use get_weather for Paris" };
      const first = await client.messages.create({
        model,
        max_tokens: 256,
        tools: [weather],
        messages: [ask],
      });
      expect(first.stop_reason).toBe("tool_use");
      const use = first.content.find((block) => block.type === "tool_use");
      expect(use).toMatchObject({
        type: "tool_use",
        name: "get_weather",
        input: { city: expect.any(String) },
      });
      const streamed = await client.messages
        .stream({ model, max_tokens: 256, tools: [weather], messages: [ask] })
        .finalMessage();
      expect(streamed.stop_reason).toBe("tool_use");
      expect(streamed.content.find((block) => block.type === "tool_use")).toMatchObject({
        name: "get_weather",
        input: { city: expect.any(String) },
      });
      const answer = await client.messages.create({
        model,
        max_tokens: 256,
        tools: [weather],
        messages: [
          ask,
          { role: "assistant", content: first.content },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: (use as { id: string }).id, content: "rain, 12°C" },
            ],
          },
        ],
      });
      expect(answer.content).toEqual([{ type: "text", text: "Tool result: rain, 12°C" }]);
      expect(fx.sink.logs.at(-1)?.prompt_messages).toContainEqual(
        expect.objectContaining({ role: "tool", content: "rain, 12°C" }),
      );
    });
  }

  it("passes a claude call through to Anthropic as it came, and its answer back as it went", async () => {
    fx = await gatewayFixture();
    const client = anthropicClient(fx);
    const request = {
      model: "claude-sonnet-4-5",
      max_tokens: 128,
      top_k: 5,
      system: [{ type: "text" as const, text: "be brief", cache_control: { type: "ephemeral" as const } }],
      metadata: { user_id: "u-42" },
      messages: [{ role: "user" as const, content: "pass me through" }],
    };
    const message = await client.messages.create({ ...request, customer_identifier: "pt-user" } as never);
    const upstream = fx.emulator.requests[0];
    expect(upstream?.path).toBe("/v1/messages");
    // Anthropic-only fields arrive as sent; Keyway's own parameters do not.
    expect(upstream?.body).toMatchObject({ top_k: 5, system: request.system, metadata: { user_id: "u-42" } });
    expect(upstream?.body).not.toHaveProperty("customer_identifier");
    expect((message as { id: string }).id).toBe(`msg_emu_${upstream?.seq}`);
    expect(fx.sink.logs[0]).toMatchObject({
      model: "claude-sonnet-4-5",
      customer_params: { customer_identifier: "pt-user" },
      completion_message: { content: "Echo: pass me through" },
    });

    const events: string[] = [];
    const stream = await client.messages.create({ ...request, stream: true });
    let id = "";
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === "message_start") id = event.message.id;
    }
    expect(id).toBe(`msg_emu_${fx.emulator.requests[1]?.seq}`);
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
    expect(fx.sink.logs[1]).toMatchObject({
      stream: true,
      completion_message: { content: "Echo: pass me through" },
    });
    expect(fx.sink.logs[1]?.completion_tokens).toBeGreaterThan(0);

    // Behind a groq model the request is translated; an Anthropic-only setting cannot be, and is refused.
    const refused = await client.messages
      .create({ ...request, model: "groq/llama-3.1-8b-instant" })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400 });
    expect(String((refused as Error).message)).toContain("top_k");
    const { top_k: _, ...portable } = request;
    await client.messages.create({ ...portable, model: "groq/llama-3.1-8b-instant" });
    expect(fx.emulator.requests.at(-1)?.path).toBe("/openai/v1/chat/completions");
    expect(fx.emulator.requests.at(-1)?.body).toMatchObject({ user: "u-42" });
  });

  it("answers errors in Anthropic's shape, and serves /v1/messages over HTTP under a prefix", async () => {
    fx = await gatewayFixture();
    const refused = await anthropicClient(fx)
      .messages.create({ model: "nobody/knows", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as { error: unknown }).error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", code: "unknown_model" },
    });
    const server = await serveOverHttp(fx.gateway);
    try {
      const client = new Anthropic({ apiKey: "unused", baseURL: `${server.url}/llm`, maxRetries: 0 });
      const message = await client.messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 64,
        messages: [{ role: "user", content: "over http" }],
      });
      expect(message.content).toEqual([{ type: "text", text: "Echo: over http" }]);
    } finally {
      await server.close();
    }
  });
});
