import { FinishReason, GoogleGenAI, Type } from "@google/genai";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture, serveOverHttp } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
let served: { url: string; close: () => Promise<void> } | undefined;
afterEach(async () => {
  await served?.close();
  await fx?.close();
  fx = undefined;
  served = undefined;
});

/** Google's own client, pointed at the gateway over real HTTP (it has no fetch option). */
async function geminiClient(apiVersion?: string): Promise<GoogleGenAI> {
  fx = await gatewayFixture();
  served = await serveOverHttp(fx.gateway);
  return new GoogleGenAI({
    apiKey: "caller-key",
    httpOptions: { baseUrl: served.url, ...(apiVersion ? { apiVersion } : {}) },
  });
}

const weather = {
  functionDeclarations: [
    {
      name: "get_weather",
      description: "The weather in a city",
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ["city"] },
    },
  ],
};

describe("Google's Gemini API through the gateway", () => {
  for (const model of ["gemini-2.5-flash", "groq/llama-3.1-8b-instant", "claude-sonnet-4-5"]) {
    it(`models.generateContent and generateContentStream for ${model}`, async () => {
      const ai = await geminiClient();
      const answer = await ai.models.generateContent({
        model,
        contents: "hello gemini",
        config: { systemInstruction: "be brief", maxOutputTokens: 100 },
      });
      expect(answer.text).toBe("Echo: hello gemini");
      expect(answer.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
      expect(answer.usageMetadata?.candidatesTokenCount).toBe(3);
      expect(answer.usageMetadata?.promptTokenCount).toBeGreaterThan(0);

      const stream = await ai.models.generateContentStream({ model, contents: "stream these words" });
      const pieces: string[] = [];
      let last: Awaited<ReturnType<typeof ai.models.generateContent>> | undefined;
      for await (const chunk of stream) {
        pieces.push(chunk.text ?? "");
        last = chunk;
      }
      expect(pieces.join("")).toBe("Echo: stream these words");
      expect(pieces.length).toBeGreaterThan(1);
      expect(last?.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
      expect(last?.usageMetadata?.candidatesTokenCount).toBe(4);

      const logs = fx?.sink.logs ?? [];
      expect(logs).toHaveLength(2);
      expect(logs[0]).toMatchObject({
        log_type: "chat",
        model,
        prompt_messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello gemini" },
        ],
        completion_message: { content: "Echo: hello gemini" },
        completion_tokens: 3,
        stream: false,
      });
      expect(logs[0]?.cost).toBeGreaterThan(0);
      expect(logs[1]).toMatchObject({ stream: true, completion_tokens: 4 });
      expect(logs[1]?.time_to_first_token).toBeGreaterThanOrEqual(0);

      const upstream = fx?.emulator.requests ?? [];
      if (model.startsWith("gemini")) {
        // Passed through: Google's API upstream, the caller's body as it came, the pool's key in x-goog-api-key.
        expect(upstream[0]).toMatchObject({ format: "google-gemini", model, apiKey: "gemini-pool" });
        expect(upstream[0]?.path).toBe(`/v1beta/models/${model}:generateContent`);
        expect(upstream[0]?.body).toMatchObject({
          systemInstruction: { parts: [{ text: "be brief" }] },
          generationConfig: { maxOutputTokens: 100 },
        });
        expect(upstream[1]?.path).toBe(`/v1beta/models/${model}:streamGenerateContent`);
      } else if (model.startsWith("claude")) {
        // Translated to Anthropic's Messages API upstream.
        expect(upstream[0]).toMatchObject({ format: "anthropic-messages", model, apiKey: "sk-ant-pool" });
        expect(upstream[0]?.body).toMatchObject({ system: "be brief", max_tokens: 100 });
      } else {
        expect(upstream[0]).toMatchObject({ format: "openai-chat", model: "llama-3.1-8b-instant" });
        expect(upstream[0]?.body).toMatchObject({ max_tokens: 100 });
      }
    });

    it(`a function call round trip for ${model}, streamed and not`, async () => {
      const ai = await geminiClient();
      const ask = { role: "user", parts: [{ text: "use get_weather for Paris" }] };
      const first = await ai.models.generateContent({ model, contents: [ask], config: { tools: [weather] } });
      const call = first.functionCalls?.[0];
      expect(call).toMatchObject({ name: "get_weather", args: { city: expect.any(String) } });
      expect(first.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
      const followUp = [
        ask,
        first.candidates?.[0]?.content ?? {},
        {
          role: "user",
          parts: [{ functionResponse: { id: call?.id, name: "get_weather", response: { result: "sunny" } } }],
        },
      ];
      const second = await ai.models.generateContent({
        model,
        contents: followUp,
        config: { tools: [weather] },
      });
      expect(second.text).toContain("sunny");

      const streamed = await ai.models.generateContentStream({
        model,
        contents: [ask],
        config: { tools: [weather] },
      });
      const calls = [];
      for await (const chunk of streamed) calls.push(...(chunk.functionCalls ?? []));
      expect(calls).toEqual([expect.objectContaining({ name: "get_weather" })]);

      const logs = fx?.sink.logs ?? [];
      expect(logs).toHaveLength(3);
      expect(logs[0]?.completion_message).toMatchObject({
        tool_calls: [{ function: { name: "get_weather" } }],
      });
      expect(logs[1]?.prompt_messages?.at(-1)).toMatchObject({ role: "tool" });
    });
  }

  it("serves the v1beta paths, URL-encoded model ids, and Respan's parameters in the body or the header", async () => {
    const ai = await geminiClient("v1beta");
    await ai.models.generateContent({
      model: encodeURIComponent("groq/llama-3.1-8b-instant"),
      contents: "encoded",
      config: {
        httpOptions: {
          headers: {
            "x-data-respan-params": Buffer.from(JSON.stringify({ customer_identifier: "carol" })).toString(
              "base64",
            ),
          },
        },
      },
    });
    const response = await fetch(`${served?.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "caller-key" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "with params" }] }], customer_identifier: "dave" }),
    });
    expect(response.status).toBe(200);
    const logs = fx?.sink.logs ?? [];
    expect(logs.map((log) => [log.model, log.customer_params?.customer_identifier])).toEqual([
      ["groq/llama-3.1-8b-instant", "carol"],
      ["gemini-2.5-flash", "dave"],
    ]);
    // Respan's parameters never reach Google, which refuses fields it does not know.
    expect(fx?.emulator.requests[1]?.body).toEqual({ contents: [{ parts: [{ text: "with params" }] }] });
  });

  it("answers errors in Google's shape: a Gemini-only setting for another provider, streaming without alt=sse", async () => {
    const ai = await geminiClient();
    const error = await ai.models
      .generateContent({ model: "groq/llama-3.1-8b-instant", contents: "hi", config: { topK: 3 } })
      .then(
        () => undefined,
        (e: unknown) => e as Error & { status?: number },
      );
    expect(error).toMatchObject({ status: 400 });
    expect(String(error?.message)).toContain("generationConfig.topK");
    // The same setting goes through to Gemini itself.
    await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hi", config: { topK: 3 } });
    expect(fx?.emulator.requests.at(-1)?.body).toMatchObject({ generationConfig: { topK: 3 } });

    const noSse = await fetch(`${served?.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
    });
    expect(noSse.status).toBe(400);
    expect(await noSse.json()).toMatchObject({
      error: {
        code: 400,
        status: "INVALID_ARGUMENT",
        details: [{ reason: "invalid_request", domain: "keyway" }],
      },
    });
  });

  it("Google as a provider: the openai SDK's chat completions translated to Gemini upstream, BYOK and the gemini alias", async () => {
    fx = await gatewayFixture();
    const completion = await fx.client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [
        { role: "system", content: "terse" },
        { role: "user", content: "hello from openai" },
      ],
      max_tokens: 50,
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: hello from openai");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBe(4);
    expect(fx.emulator.requests[0]).toMatchObject({
      path: "/v1beta/models/gemini-2.5-flash:generateContent",
      apiKey: "gemini-pool",
      body: {
        systemInstruction: { parts: [{ text: "terse" }] },
        contents: [{ role: "user", parts: [{ text: "hello from openai" }] }],
        generationConfig: { maxOutputTokens: 50 },
      },
    });

    const stream = await fx.client.chat.completions.create({
      model: "gemini/gemini-2.5-flash",
      messages: [{ role: "user", content: "use get_weather for Rome" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      ],
      stream: true,
      stream_options: { include_usage: true },
      customer_credentials: { gemini: { api_key: "customer-gemini-key" } },
    } as never);
    const chunks = [];
    for await (const chunk of stream as unknown as AsyncIterable<{
      choices: { delta: { tool_calls?: { function?: { name?: string } }[] }; finish_reason: string | null }[];
      usage?: { completion_tokens: number } | null;
    }>)
      chunks.push(chunk);
    expect(
      chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []))[0]?.function?.name,
    ).toBe("get_weather");
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual([
      "tool_calls",
    ]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(fx.emulator.requests[1]).toMatchObject({
      path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
      apiKey: "customer-gemini-key",
    });
    expect(fx.emulator.requests[1]?.body).toHaveProperty("tools", [
      {
        functionDeclarations: [
          {
            name: "get_weather",
            parametersJsonSchema: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            },
          },
        ],
      },
    ]);

    const refused = await fx.client.chat.completions
      .create({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "x" }], logit_bias: { 1: 2 } })
      .catch((e: unknown) => e as { status: number; message: string });
    expect(refused).toMatchObject({ status: 400 });
    expect(fx.sink.logs.map((log) => [log.model, log.status_code])).toEqual([
      ["gemini-2.5-flash", 200],
      ["gemini/gemini-2.5-flash", 200],
      ["gemini-2.5-flash", 400],
    ]);
  });
});
