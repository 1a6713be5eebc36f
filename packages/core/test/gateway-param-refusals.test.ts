import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture();
});
afterAll(() => fx.close());

async function post(path: string, body: unknown): Promise<{ status: number; param?: string }> {
  const response = await fx.gateway.fetch(
    new Request(`http://keyway.local${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify(body),
    }),
  );
  const json = (await response.json()) as { error?: { param?: string } };
  return { status: response.status, ...(json.error?.param ? { param: json.error.param } : {}) };
}

describe("provider-only settings that ask for nothing are accepted; what cannot be acted on is a 400", () => {
  it("the OpenAI Agents SDK's include: [] (and store: true, truncation: disabled) reach Claude, Gemini and Groq", async () => {
    for (const model of ["claude-sonnet-4-5", "gemini-2.5-flash", "groq/llama-3.1-8b-instant"]) {
      const answered = await post("/v1/responses", {
        model,
        input: "agents sdk",
        include: [],
        store: true,
        truncation: "disabled",
        prompt: null,
      });
      expect(answered.status, model).toBe(200);
      const refused = await post("/v1/responses", {
        model,
        input: "x",
        include: ["reasoning.encrypted_content"],
      });
      expect(refused, model).toEqual({ status: 400, param: "include" });
    }
    expect(
      (
        await post("/v1beta/models/groq/llama-3.1-8b-instant:generateContent", {
          contents: [{ role: "user", parts: [{ text: "hi" }] }],
          safetySettings: [],
          generationConfig: { thinkingConfig: {} },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await post("/v1/messages", {
          model: "gpt-4o-mini",
          max_tokens: 10,
          messages: [{ role: "user", content: "hi" }],
          thinking: { type: "disabled" },
        })
      ).status,
    ).toBe(200);
  });

  it("openai's chat.completions.parse with a claude model is a 400 naming response_format, not prose", async () => {
    fx.emulator.reset();
    const refused = await fx.client.chat.completions
      .parse({
        model: "claude-sonnet-4-5",
        messages: [{ role: "user", content: "an order" }],
        response_format: zodResponseFormat(z.object({ id: z.string() }), "order"),
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: "response_format" });
    expect(
      await post("/v1/responses", {
        model: "claude-sonnet-4-5",
        input: "x",
        text: { format: { type: "json_object" } },
      }),
    ).toEqual({
      status: 400,
      param: "response_format",
    });
    expect(fx.emulator.requests.filter((request) => request.format === "anthropic-messages")).toHaveLength(0);
  });

  it("n: 2 toward Anthropic is a 400 naming n", async () => {
    const refused = await fx.client.chat.completions
      .create({ model: "claude-sonnet-4-5", n: 2, messages: [{ role: "user", content: "two" }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: "n" });
  });
});
