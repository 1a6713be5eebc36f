import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture, serveOverHttp } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const weather = {
  type: "function" as const,
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe("OpenAI's Responses API through the gateway", () => {
  for (const model of ["groq/llama-3.1-8b-instant", "claude-sonnet-4-5"]) {
    it(`responses.create and responses.stream for ${model}`, async () => {
      fx = await gatewayFixture();
      const { client, sink } = fx;
      const response = await client.responses.create({
        model,
        instructions: "be brief",
        input: "hello responses",
        // @ts-expect-error Respan body extension
        customer_identifier: "resp-user",
      });
      expect(response).toMatchObject({ object: "response", status: "completed", model });
      expect(response.output_text).toBe("Echo: hello responses");
      expect(response.usage).toMatchObject({ output_tokens: 3 });
      expect(response.usage?.input_tokens).toBeGreaterThan(0);

      const stream = client.responses.stream({
        model,
        input: [{ role: "user", content: "stream the words" }],
      });
      const types: string[] = [];
      let text = "";
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === "response.output_text.delta") text += event.delta;
      }
      const final = await stream.finalResponse();
      expect(text).toBe("Echo: stream the words");
      expect(final.output_text).toBe("Echo: stream the words");
      expect(final.usage?.output_tokens).toBe(4);
      expect(types[0]).toBe("response.created");
      expect(types).toContain("response.output_item.added");
      expect(types).toContain("response.content_part.added");
      expect(types).toContain("response.output_text.done");
      expect(types.at(-1)).toBe("response.completed");

      expect(sink.logs).toHaveLength(2);
      expect(sink.logs[0]).toMatchObject({
        log_type: "response",
        model,
        prompt_messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello responses" },
        ],
        completion_message: { content: "Echo: hello responses" },
        completion_tokens: 3,
        customer_params: { customer_identifier: "resp-user" },
      });
      expect(sink.logs[1]).toMatchObject({ log_type: "response", stream: true, completion_tokens: 4 });
    });

    it(`a function tool round trip for ${model}, streamed and not`, async () => {
      fx = await gatewayFixture();
      const { client } = fx;
      const ask = { role: "user" as const, content: "use get_weather for Paris" };
      const first = await client.responses.create({ model, tools: [weather], input: [ask] });
      const call = first.output.find((item) => item.type === "function_call");
      expect(call).toMatchObject({ type: "function_call", name: "get_weather" });
      expect(JSON.parse((call as { arguments: string }).arguments)).toHaveProperty("city");
      const streamed = await client.responses
        .stream({ model, tools: [weather], input: [ask] })
        .finalResponse();
      expect(streamed.output.find((item) => item.type === "function_call")).toMatchObject({
        name: "get_weather",
      });
      const answer = await client.responses.create({
        model,
        tools: [weather],
        input: [
          ask,
          call as OpenAI.Responses.ResponseFunctionToolCall,
          {
            type: "function_call_output",
            call_id: (call as { call_id: string }).call_id,
            output: "rain, 12°C",
          },
        ],
      });
      expect(answer.output_text).toBe("Tool result: rain, 12°C");
    });
  }

  it("passes an openai call through to OpenAI's Responses API as it came, and its answer back as it went", async () => {
    fx = await gatewayFixture();
    const { client, emulator, sink } = fx;
    const request = {
      model: "gpt-4o-mini",
      input: "pass me through",
      include: ["reasoning.encrypted_content" as const],
      store: false,
      truncation: "disabled" as const,
    };
    const response = await client.responses.create({ ...request, customer_identifier: "rp-user" } as never);
    const upstream = emulator.requests[0];
    expect(upstream?.path).toBe("/v1/responses");
    expect(upstream?.body).toMatchObject({
      include: ["reasoning.encrypted_content"],
      store: false,
      truncation: "disabled",
    });
    expect(upstream?.body).not.toHaveProperty("customer_identifier");
    expect((response as OpenAI.Responses.Response).id).toBe(`resp_emu_${upstream?.seq}`);
    expect((response as OpenAI.Responses.Response).output_text).toBe("Echo: pass me through");
    expect(sink.logs[0]).toMatchObject({
      log_type: "response",
      model: "gpt-4o-mini",
      customer_params: { customer_identifier: "rp-user" },
      completion_message: { content: "Echo: pass me through" },
      completion_tokens: 4,
    });

    const stream = client.responses.stream(request);
    let created = "";
    for await (const event of stream) if (event.type === "response.created") created = event.response.id;
    const final = await stream.finalResponse();
    expect(created).toBe(`resp_emu_${emulator.requests[1]?.seq}`);
    expect(final.output_text).toBe("Echo: pass me through");
    expect(sink.logs[1]).toMatchObject({ stream: true, completion_tokens: 4 });

    // Behind a groq model the call is translated; a Responses-only setting cannot be, and is refused.
    const refused = await client.responses
      .create({ ...request, model: "groq/llama-3.1-8b-instant" })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: "include" });
  });

  it("refuses previous_response_id (no stored responses) and serves /v1/responses over HTTP", async () => {
    fx = await gatewayFixture();
    const refused = await fx.client.responses
      .create({ model: "groq/llama-3.1-8b-instant", input: "again", previous_response_id: "resp_123" })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: "previous_response_not_stored" });
    const server = await serveOverHttp(fx.gateway);
    try {
      for (const base of [`${server.url}/v1`, `${server.url}/api`, `${server.url}/llm`]) {
        const client = new OpenAI({ apiKey: "unused", baseURL: base, maxRetries: 0 });
        const response = await client.responses.create({ model: "claude-sonnet-4-5", input: "over http" });
        expect(response.output_text).toBe("Echo: over http");
      }
    } finally {
      await server.close();
    }
  });
});
