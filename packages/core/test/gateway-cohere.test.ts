import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { computeCost } from "../src/pricing/compute-cost.js";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture((emulator) => ({
    providers: { cohere: { baseURL: `${emulator.url}/v2`, apiKey: "co-key" } },
  }));
});
afterAll(() => fx.close());
beforeEach(() => {
  fx.emulator.reset();
  fx.sink.clear();
});

const weather = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

const priced = (log: { model?: string; prompt_tokens?: number; completion_tokens?: number }) =>
  computeCost(
    String(log.model),
    { promptTokens: log.prompt_tokens, completionTokens: log.completion_tokens },
    { provider: "cohere" },
  )?.cost;

describe("Cohere through its native v2 API", () => {
  it("chat: the body in Cohere's shape, the answer and one priced log in billed units", async () => {
    const answer = await fx.client.chat.completions.create({
      model: "command-a-03-2025",
      temperature: 0.2,
      top_p: 0.9,
      stop: ["END"],
      max_tokens: 50,
      messages: [
        { role: "developer", content: "Be brief." },
        { role: "user", content: "hello cohere" },
      ],
    });
    expect(answer.choices[0]).toMatchObject({
      message: { role: "assistant", content: "Echo: hello cohere" },
      finish_reason: "stop",
    });
    const [sent] = fx.emulator.requests;
    expect(sent).toMatchObject({ path: "/v2/chat", format: "cohere-chat", apiKey: "co-key" });
    expect(sent?.body).toEqual({
      model: "command-a-03-2025",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello cohere" },
      ],
      max_tokens: 50,
      temperature: 0.2,
      p: 0.9,
      stop_sequences: ["END"],
    });
    // The emulator bills the words of the prompt plus one per message (2 + 2 + 2), and 3 words out.
    expect(answer.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 3 });
    expect(fx.sink.logs).toHaveLength(1);
    const log = fx.sink.logs[0];
    expect(log).toMatchObject({
      model: "command-a-03-2025",
      provider_id: "cohere",
      status: "success",
      prompt_tokens: 6,
      completion_tokens: 3,
    });
    expect(log?.cost).toBeGreaterThan(0);
    expect(log?.cost).toBe(priced(log ?? {}));
  });

  it("stream: text deltas, usage from message-end in the log", async () => {
    let text = "";
    let usage: unknown;
    for await (const chunk of await fx.client.chat.completions.create({
      model: "cohere/command-r-plus",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream from cohere" }],
    })) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: stream from cohere");
    expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 4 });
    expect(fx.emulator.requests[0]?.body).toMatchObject({ stream: true });
    const log = fx.sink.logs[0];
    expect(log).toMatchObject({
      provider_id: "cohere",
      stream: true,
      prompt_tokens: 4,
      completion_tokens: 4,
    });
    expect(log?.cost).toBe(priced(log ?? {}));
  });

  it("tools: a call, the result sent back as a tool turn, and a named tool held to REQUIRED; streamed too", async () => {
    const call = await fx.client.chat.completions.create({
      model: "command-r",
      tools: [weather, { ...weather, function: { ...weather.function, name: "get_time" } }],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      messages: [{ role: "user", content: "Rome" }],
    });
    const toolCall = call.choices[0]?.message.tool_calls?.[0];
    expect(call.choices[0]?.finish_reason).toBe("tool_calls");
    expect(toolCall).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(JSON.parse(String(toolCall && "function" in toolCall ? toolCall.function.arguments : ""))).toEqual(
      {
        city: "Rome",
      },
    );
    const first = fx.emulator.requests[0]?.body as { tools: unknown[]; tool_choice: string };
    expect(first.tool_choice).toBe("REQUIRED");
    expect(first.tools).toHaveLength(1);
    const after = await fx.client.chat.completions.create({
      model: "command-r",
      tools: [weather],
      messages: [
        { role: "user", content: "Rome" },
        { role: "assistant", content: null, tool_calls: call.choices[0]?.message.tool_calls },
        { role: "tool", tool_call_id: String(toolCall?.id), content: "sunny" },
      ],
    });
    expect(after.choices[0]?.message.content).toBe("Tool result: sunny");
    const sentBack = (fx.emulator.requests[1]?.body as { messages: unknown[] } | undefined)?.messages;
    expect(sentBack?.[2]).toEqual({ role: "tool", tool_call_id: toolCall?.id, content: "sunny" });
    const args: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of await fx.client.chat.completions.create({
      model: "command-r",
      stream: true,
      tools: [weather],
      tool_choice: "required",
      messages: [{ role: "user", content: "Oslo" }],
    })) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? [])
        args.push(delta.function?.arguments ?? "");
      finish ??= chunk.choices[0]?.finish_reason;
    }
    expect(JSON.parse(args.join(""))).toEqual({ city: "Oslo" });
    expect(finish).toBe("tool_calls");
    expect(fx.sink.logs).toHaveLength(3);
  });

  it("embeddings through /v2/embed: float and base64, input_type passed or defaulted, billed tokens logged", async () => {
    const floats = await fx.client.embeddings.create({
      model: "embed-v4.0",
      input: ["one text", "two texts here"],
      encoding_format: "float",
      dimensions: 16,
    });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]?.embedding).toHaveLength(16);
    expect(floats.usage.prompt_tokens).toBe(5);
    expect(fx.emulator.requests[0]?.body).toEqual({
      model: "embed-v4.0",
      texts: ["one text", "two texts here"],
      input_type: "search_document",
      embedding_types: ["float"],
      output_dimension: 16,
    });
    // The SDK asks for base64 by default and decodes it back to floats.
    const decoded = await fx.client.embeddings.create({
      model: "cohere/embed-v4.0",
      input: "one text",
      input_type: "search_query",
    } as never);
    expect(decoded.data[0]?.embedding).toHaveLength(8);
    expect(fx.emulator.requests[1]?.body).toMatchObject({
      input_type: "search_query",
      embedding_types: ["base64"],
    });
    expect(fx.sink.logs.map((log) => [log.provider_id, log.prompt_tokens])).toEqual([
      ["cohere", 5],
      ["cohere", 2],
    ]);
    expect(fx.sink.logs[0]?.cost).toBe(priced(fx.sink.logs[0] ?? {}));
  });

  it("refuses what v2 Chat cannot act on, before sending; customer_credentials under cohere and cohere_ai", async () => {
    for (const [field, extra] of [
      ["logit_bias", { logit_bias: { "1": 5 } }],
      ["n", { n: 2 }],
      ["parallel_tool_calls", { parallel_tool_calls: false }],
    ] as const) {
      const refused = await fx.client.chat.completions
        .create({ model: "command-r", messages: [{ role: "user", content: "hi" }], ...extra } as never)
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 400, param: field });
    }
    expect(fx.emulator.requests).toHaveLength(0);
    for (const name of ["cohere", "cohere_ai"])
      await fx.client.chat.completions.create({
        model: "command-r",
        messages: [{ role: "user", content: "own key" }],
        customer_credentials: { [name]: { api_key: `customer-${name}` } },
      } as never);
    expect(fx.emulator.requests.map((request) => request.apiKey)).toEqual([
      "customer-cohere",
      "customer-cohere_ai",
    ]);
  });

  it("a stream that ends in an ERROR finish is the provider's error, logged once", async () => {
    fx.emulator.fault({
      match: { format: "cohere-chat" },
      streamError: { afterChunks: 2 },
      errorMessage: "overloaded",
    });
    const failed = await (async () => {
      for await (const _ of await fx.client.chat.completions.create({
        model: "command-r",
        stream: true,
        messages: [{ role: "user", content: "fail please" }],
      }));
    })().catch((error: unknown) => error);
    expect(String((failed as Error).message)).toContain("overloaded");
    expect(fx.sink.logs).toHaveLength(1);
    expect(fx.sink.logs[0]).toMatchObject({ provider_id: "cohere", status: "error" });
  });
});
