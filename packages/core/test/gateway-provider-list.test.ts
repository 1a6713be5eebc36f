import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { computeCost } from "../src/pricing/compute-cost.js";
import { builtInProviders } from "../src/providers/provider-spec.js";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

// The OpenAI-compatible providers of Respan's list, each with a model it serves and its path on the emulator.
const providers = [
  { id: "baseten", model: "deepseek-ai/DeepSeek-V3-0324", path: "/baseten/v1" },
  { id: "nebius", model: "meta-llama/Llama-3.3-70B-Instruct", path: "/nebius/v1" },
  { id: "novita", model: "meta-llama/llama-3.1-8b-instruct", path: "/novita/openai/v1" },
  { id: "parasail", model: "parasail-llama-33-70b-fp8", path: "/parasail/v1" },
  { id: "inference_net", model: "meta-llama/llama-3.1-8b-instruct/fp-8", path: "/inference/v1" },
  { id: "nextbit", model: "mistral-small-24b", path: "/nextbit/v1" },
  { id: "ai21", model: "jamba-mini", path: "/ai21/studio/v1" },
  { id: "wafer", model: "claude-sonnet-4-5", path: "/wafer/v1" },
];

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture((emulator) => ({
    providers: Object.fromEntries(
      providers.map((entry) => [
        entry.id,
        { baseURL: `${emulator.url}${entry.path}`, apiKey: `${entry.id}-key` },
      ]),
    ),
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

describe("every OpenAI-compatible provider on Respan's list", () => {
  for (const entry of providers) {
    const spec = builtInProviders.find((provider) => provider.id === entry.id);
    const model = `${entry.id}/${entry.model}`;
    it(`${entry.id}: chat, stream, tools${spec?.embeddings ? ", embeddings" : ""}, its own and an aliased customer key, one log each`, async () => {
      const { client, emulator, sink } = fx;
      const answer = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "hello list" }],
      });
      expect(answer.choices[0]?.message.content).toBe("Echo: hello list");
      let streamed = "";
      for await (const chunk of await client.chat.completions.create({
        model,
        stream: true,
        messages: [{ role: "user", content: "stream list" }],
      }))
        streamed += chunk.choices[0]?.delta.content ?? "";
      expect(streamed).toBe("Echo: stream list");
      const tool = await client.chat.completions.create({
        model,
        tools: [weather],
        tool_choice: "required",
        messages: [{ role: "user", content: "Rome" }],
      });
      expect(tool.choices[0]?.finish_reason).toBe("tool_calls");
      if (spec?.embeddings) {
        const embedded = await client.embeddings.create({ model, input: "embed list" });
        expect(embedded.data).toHaveLength(1);
      }
      // customer_credentials under Respan's id, and under the alias where there is one.
      const names = [entry.id, ...(spec?.aliases ?? []).slice(0, 1)];
      for (const name of names)
        await client.chat.completions.create({
          model,
          messages: [{ role: "user", content: "own key" }],
          customer_credentials: { [name]: { api_key: `customer-${name}` } },
        } as never);
      expect(emulator.requests.every((request) => request.path.startsWith(entry.path))).toBe(true);
      const keys = emulator.requests.map((request) => request.apiKey);
      expect(keys.slice(-names.length)).toEqual(names.map((name) => `customer-${name}`));
      expect(new Set(keys.slice(0, -names.length))).toEqual(new Set([`${entry.id}-key`]));
      expect(sink.logs).toHaveLength(emulator.requests.length);
      for (const log of sink.logs) {
        expect(log).toMatchObject({ model, provider_id: entry.id, status: "success" });
        expect(log.prompt_tokens).toBeGreaterThan(0);
        const priced = computeCost(model, {
          promptTokens: log.prompt_tokens,
          completionTokens: log.completion_tokens,
        });
        expect(log.cost).toBe(priced?.cost);
      }
    });
  }

  it("wafer passes an Anthropic Messages call through natively", async () => {
    const anthropic = new Anthropic({
      apiKey: "unused",
      baseURL: "http://keyway.local",
      fetch: fx.gateway.fetch,
    });
    const message = await anthropic.messages.create({
      model: "wafer/claude-sonnet-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: "messages at wafer" }],
    });
    expect(message.content[0]).toMatchObject({ type: "text", text: "Echo: messages at wafer" });
    expect(fx.emulator.requests[0]).toMatchObject({
      path: "/wafer/v1/messages",
      format: "anthropic-messages",
      apiKey: "wafer-key",
    });
  });

  it("palm is retired: a 400 pointing at Gemini, nothing sent", async () => {
    const refused = await fx.client.chat.completions
      .create({ model: "palm/text-bison-001", messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: "provider_retired" });
    expect(String((refused as Error).message)).toContain("gemini");
    expect(fx.emulator.requests).toHaveLength(0);
  });
});
