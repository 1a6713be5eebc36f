import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paramCell, tabledChatParams } from "../src/providers/param-table.js";
import type { WireFormatId } from "../src/providers/provider-spec.js";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

// A model of each wire format, all served by the one emulator.
const models: Record<WireFormatId, string> = {
  "openai-chat": "groq/llama-3.1-8b-instant",
  "anthropic-messages": "claude-sonnet-4-5",
  "google-gemini": "gemini-2.5-flash",
  "bedrock-converse": "bedrock/anthropic.claude-3-5-haiku-20241022-v1:0",
  "cohere-chat": "command-r",
  "replicate-predictions": "replicate/meta/meta-llama-3-8b-instruct",
};

const weather = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
// A value of each parameter that asks for something (the parameter first: a refusal names the first it meets).
const samples: Record<string, Record<string, unknown>> = {
  stream: { stream: true },
  stream_options: { stream_options: { include_usage: true }, stream: true },
  max_tokens: { max_tokens: 40 },
  max_completion_tokens: { max_completion_tokens: 40 },
  temperature: { temperature: 0.3 },
  top_p: { top_p: 0.8 },
  stop: { stop: ["END"] },
  n: { n: 1 },
  seed: { seed: 7 },
  presence_penalty: { presence_penalty: 0.1 },
  frequency_penalty: { frequency_penalty: 0.1 },
  response_format: { response_format: { type: "text" } },
  tools: { tools: [weather] },
  tool_choice: { tool_choice: "auto", tools: [weather] },
  parallel_tool_calls: { parallel_tool_calls: true, tools: [weather] },
  user: { user: "end-user-1" },
  logit_bias: { logit_bias: { "50256": -100 } },
  logprobs: { logprobs: true },
  top_logprobs: { top_logprobs: 2 },
  reasoning_effort: { reasoning_effort: "low" },
  verbosity: { verbosity: "low" },
  modalities: { modalities: ["text"] },
  audio: { audio: { voice: "alloy", format: "wav" } },
  prediction: { prediction: { type: "content", content: "draft" } },
  service_tier: { service_tier: "flex" },
  web_search_options: { web_search_options: { search_context_size: "low" } },
};
// The values a translation's limit refuses ("1 only", "true only", "text only").
const beyondLimits: Record<string, Record<string, unknown>> = {
  n: { n: 2 },
  parallel_tool_calls: { parallel_tool_calls: false, tools: [weather] },
  response_format: { response_format: { type: "json_object" } },
};

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture((emulator) => {
    const keys = emulator.bedrock.createCredentials();
    return {
      providers: {
        groq: { baseURL: `${emulator.url}/openai/v1`, apiKey: "gsk" },
        anthropic: { baseURL: emulator.baseURL, apiKey: "sk-ant" },
        google: { baseURL: `${emulator.url}/v1beta`, apiKey: "gemini" },
        bedrock: { baseURL: emulator.url, region: "us-east-1", ...keys },
        cohere: { baseURL: `${emulator.url}/v2`, apiKey: "co" },
        replicate: { baseURL: `${emulator.url}/replicate/v1`, apiKey: "r8" },
      },
    };
  });
});
afterAll(() => fx.close());

async function send(model: string, extra: Record<string, unknown>) {
  const response = await fx.gateway.fetch(
    new Request("http://keyway.local/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "table" }], ...extra }),
    }),
  );
  const text = await response.text();
  const param =
    response.status === 400 ? (JSON.parse(text) as { error: { param?: string } }).error.param : undefined;
  return { status: response.status, param };
}

describe("every chat parameter toward every wire format, as the README's table says", () => {
  for (const format of Object.keys(models) as WireFormatId[]) {
    it(format, async () => {
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const field of tabledChatParams) {
        const sample = samples[field];
        if (!sample) throw new Error(`no sample for ${field}`);
        const cell = paramCell(format, field);
        const sent = await send(models[format], sample);
        outcomes[field] = sent.status === 400 ? `400 ${sent.param}` : String(sent.status);
        expected[field] = cell === "400" ? `400 ${field}` : "200";
        const beyond = beyondLimits[field];
        // Where the parameter is refused whatever its value, the sample above showed it.
        if (beyond && cell !== "400") {
          const over = await send(models[format], beyond);
          outcomes[`${field} beyond`] = over.status === 400 ? `400 ${over.param}` : String(over.status);
          expected[`${field} beyond`] = cell.includes("else 400") ? `400 ${field}` : "200";
        }
      }
      expect(outcomes).toEqual(expected);
    });
  }
});
