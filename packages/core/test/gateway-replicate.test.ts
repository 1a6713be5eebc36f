import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture((emulator) => ({
    providers: { replicate: { baseURL: `${emulator.url}/replicate/v1`, apiKey: "r8_test_key" } },
  }));
});
afterAll(() => fx.close());
beforeEach(() => {
  fx.emulator.reset();
  fx.emulator.replicate.runMs = 0;
  fx.emulator.replicate.waitMs = 60_000;
  fx.sink.clear();
});

const model = "replicate/meta/meta-llama-3-8b-instruct";

describe("Replicate through its predictions API", () => {
  it("chat: a prediction created with Prefer: wait, its output as the answer, tokens from its metrics, no cost", async () => {
    const answer = await fx.client.chat.completions.create({
      model,
      max_tokens: 40,
      temperature: 0.5,
      top_p: 0.9,
      stop: ["<|eot_id|>", "END"],
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello replicate" },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: hello replicate");
    const [created] = fx.emulator.requests;
    expect(created).toMatchObject({
      path: "/replicate/v1/models/meta/meta-llama-3-8b-instruct/predictions",
      apiKey: "r8_test_key",
    });
    expect(created?.headers.prefer).toBe("wait");
    expect(created?.body).toEqual({
      input: {
        prompt: "hello replicate",
        system_prompt: "Be brief.",
        max_tokens: 40,
        temperature: 0.5,
        top_p: 0.9,
        stop_sequences: "<|eot_id|>,END",
      },
    });
    expect(fx.sink.logs).toHaveLength(1);
    const log = fx.sink.logs[0];
    // The emulator counts words: "Be brief. hello replicate" is 4, plus one per message (1); 3 words out.
    expect(log).toMatchObject({
      model,
      provider_id: "replicate",
      status: "success",
      prompt_tokens: 5,
      completion_tokens: 3,
    });
    // Replicate bills by time, not tokens, and the price table has no Replicate models: cost absent, not guessed.
    expect(log?.cost).toBeUndefined();
  });

  it("a prediction still running when the wait ends is polled at urls.get until it has finished", async () => {
    fx.emulator.replicate.runMs = 400;
    fx.emulator.replicate.waitMs = 50;
    const answer = await fx.client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "slow model" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: slow model");
    const polls = fx.emulator.requests.filter((request) => /\/v1\/predictions\/rep\w+$/.test(request.path));
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((poll) => poll.apiKey === "r8_test_key")).toBe(true);
    expect(fx.sink.logs).toHaveLength(1);
    expect(fx.sink.logs[0]).toMatchObject({ status: "success", completion_tokens: 3 });
  });

  it("stream: the prediction's stream URL as chunks, then usage from the finished prediction", async () => {
    let text = "";
    let usage: unknown;
    for await (const chunk of await fx.client.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream from replicate" }],
    })) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: stream from replicate");
    expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 4 });
    const [created, stream] = fx.emulator.requests;
    expect(created?.headers.prefer).toBeUndefined();
    expect(created?.body).toMatchObject({ stream: true });
    expect(stream?.path).toMatch(/^\/replicate-stream\/rep\w+$/);
    expect(fx.sink.logs).toHaveLength(1);
    expect(fx.sink.logs[0]).toMatchObject({ stream: true, prompt_tokens: 4, completion_tokens: 4 });
  });

  it("a conversation goes as a transcript ending on the assistant's turn", async () => {
    const answer = await fx.client.chat.completions.create({
      model,
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "second question" },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: second question");
    expect((fx.emulator.requests[0]?.body as { input: { prompt: string } } | undefined)?.input.prompt).toBe(
      "User: first question\n\nAssistant: first answer\n\nUser: second question\n\nAssistant:",
    );
  });

  it("refuses what a prediction cannot act on, before sending, and a model not named owner/name", async () => {
    const weather = { type: "function" as const, function: { name: "get_weather", parameters: {} } };
    for (const [field, extra] of [
      ["tools", { tools: [weather] }],
      ["response_format", { response_format: { type: "json_object" } }],
      ["n", { n: 2 }],
      [
        "messages.0.content",
        {
          messages: [
            { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] },
          ],
        },
      ],
      ["model", { model: "replicate/llama-3" }],
    ] as const) {
      const refused = await fx.client.chat.completions
        .create({ model, messages: [{ role: "user", content: "hi" }], ...extra } as never)
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 400, param: field });
    }
    expect(fx.emulator.requests).toHaveLength(0);
    // Empty tools ask for nothing: accepted.
    await fx.client.chat.completions.create({
      model,
      tools: [],
      messages: [{ role: "user", content: "ok" }],
    } as never);
    expect(fx.emulator.requests).toHaveLength(1);
  });

  it("customer_credentials.replicate brings the caller's token; an error event in the stream is the provider's error", async () => {
    await fx.client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "own token" }],
      customer_credentials: { replicate: { api_key: "r8_customer" } },
    } as never);
    expect(fx.emulator.requests[0]?.apiKey).toBe("r8_customer");
    fx.emulator.fault({
      match: { format: "replicate-predictions" },
      streamError: { afterChunks: 1 },
      errorMessage: "CUDA out of memory",
    });
    const failed = await (async () => {
      for await (const _ of await fx.client.chat.completions.create({
        model,
        stream: true,
        messages: [{ role: "user", content: "fail now" }],
      }));
    })().catch((error: unknown) => error);
    expect(String((failed as Error).message)).toContain("CUDA out of memory");
    expect(fx.sink.logs.map((log) => log.status)).toEqual(["success", "error"]);
  });
});
