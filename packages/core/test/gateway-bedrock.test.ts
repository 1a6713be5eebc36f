import Anthropic from "@anthropic-ai/sdk";
import type { AwsCredentials } from "@keyway/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

let keys: AwsCredentials;
async function bedrockFixture(
  bedrock: (keys: AwsCredentials, apiKey: string) => Record<string, unknown> = () => ({}),
) {
  fx = await gatewayFixture((emulator) => {
    keys = emulator.bedrock.createCredentials();
    return {
      providers: {
        bedrock: {
          baseURL: emulator.url,
          region: "us-west-2",
          accessKeyId: keys.accessKeyId,
          secretAccessKey: keys.secretAccessKey,
          ...bedrock(keys, emulator.bedrock.createApiKey()),
        },
      },
    };
  });
  return fx;
}

const claude = "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0";
const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("AWS Bedrock (Converse, ConverseStream, InvokeModel) with SigV4", () => {
  it("chat, stream, tools, Responses, Messages and embeddings reach Bedrock signed, with usage, stop reasons and TTFT", async () => {
    const { client, emulator, sink, gateway } = await bedrockFixture();
    const answer = await client.chat.completions.create({
      model: claude,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hello bedrock" },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: hello bedrock");
    expect(answer.choices[0]?.finish_reason).toBe("stop");
    expect(answer.usage?.completion_tokens).toBe(3);

    const pieces: string[] = [];
    for await (const chunk of await client.chat.completions.create({
      model: claude,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream these words please" }],
    }))
      pieces.push(chunk.choices[0]?.delta.content ?? "");
    expect(pieces.join("")).toBe("Echo: stream these words please");
    expect(pieces.filter(Boolean).length).toBeGreaterThan(1);

    const tool = await client.chat.completions.create({
      model: claude,
      tools: [weather],
      tool_choice: "required",
      messages: [{ role: "user", content: "Paris" }],
    });
    const call = tool.choices[0]?.message.tool_calls?.[0];
    expect(tool.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" ? call.function.name : undefined).toBe("get_weather");
    const after = await client.chat.completions.create({
      model: claude,
      tools: [weather],
      messages: [
        { role: "user", content: "Paris" },
        { role: "assistant", content: null, tool_calls: tool.choices[0]?.message.tool_calls ?? [] },
        { role: "tool", tool_call_id: call?.id ?? "", content: "sunny" },
      ],
    });
    expect(after.choices[0]?.message.content).toBe("Tool result: sunny");

    const response = await client.responses.create({ model: claude, input: "respond bedrock" });
    expect(response.output_text).toBe("Echo: respond bedrock");
    const anthropic = new Anthropic({
      apiKey: "unused",
      baseURL: "http://keyway.local",
      fetch: gateway.fetch,
    });
    const message = await anthropic.messages
      .stream({
        model: "aws_bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0",
        max_tokens: 50,
        messages: [{ role: "user", content: "messages bedrock" }],
      })
      .finalMessage();
    expect(message.content[0]).toMatchObject({ type: "text", text: "Echo: messages bedrock" });
    expect(message.stop_reason).toBe("end_turn");

    const titan = await client.embeddings.create({
      model: "bedrock/amazon.titan-embed-text-v2:0",
      input: "embed me",
    });
    expect(titan.data).toHaveLength(1);
    expect(titan.usage.prompt_tokens).toBe(2);
    const cohere = await client.embeddings.create({
      model: "bedrock/cohere.embed-english-v3",
      input: ["a", "b"],
      encoding_format: "float",
    });
    expect(cohere.data.map((entry) => entry.embedding.length)).toEqual([8, 8]);

    expect(emulator.requests.map((request) => request.path)).toEqual([
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream",
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
      "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
      "/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream",
      "/model/amazon.titan-embed-text-v2%3A0/invoke",
      "/model/cohere.embed-english-v3/invoke",
    ]);
    expect(emulator.requests.every((request) => request.apiKey === keys.accessKeyId)).toBe(true);
    expect(new Set(emulator.bedrock.regions)).toEqual(new Set(["us-west-2"]));
    const streamedLog = sink.logs[1];
    expect(streamedLog).toMatchObject({
      provider_id: "bedrock",
      model: claude,
      stream: true,
      completion_tokens: 5,
    });
    expect(streamedLog?.time_to_first_token).toBeGreaterThan(0);
    for (const log of sink.logs) expect(JSON.stringify(log)).not.toContain(keys.secretAccessKey);
  });

  it("temporary keys with a session token and a region per request; a Bedrock API key as a bearer token", async () => {
    const { client, emulator } = await bedrockFixture((_, apiKey) => ({
      accessKeyId: undefined,
      secretAccessKey: undefined,
      apiKey,
    }));
    await client.chat.completions.create({ model: claude, messages: [{ role: "user", content: "api key" }] });
    expect(emulator.requests[0]?.apiKey).toBe("api-key");
    const temporary = emulator.bedrock.createCredentials({ temporary: true });
    await client.chat.completions.create({
      model: claude,
      messages: [{ role: "user", content: "mine" }],
      customer_credentials: {
        bedrock: {
          aws_access_key_id: temporary.accessKeyId,
          aws_secret_access_key: temporary.secretAccessKey,
          aws_session_token: temporary.sessionToken,
          aws_region_name: "eu-central-1",
        },
      },
    } as never);
    expect(emulator.requests[1]?.apiKey).toBe(temporary.accessKeyId);
    expect(emulator.bedrock.regions.at(-1)).toBe("eu-central-1");
  });

  it("a wrong secret is Bedrock's 403, typed, the secret in no error or log; a pool moves to the account that works", async () => {
    const { client, emulator, sink } = await bedrockFixture((good) => ({
      accessKeyId: undefined,
      secretAccessKey: undefined,
      keys: [
        { accessKeyId: good.accessKeyId, secretAccessKey: "wrong-secret-value-0123456789", weight: 1000 },
        { accessKeyId: good.accessKeyId, secretAccessKey: good.secretAccessKey, weight: 1 },
      ],
    }));
    const answer = await client.chat.completions.create({
      model: claude,
      messages: [{ role: "user", content: "pool" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: pool");
    expect(sink.logs[0]?.attempts).toBe(2);
    expect(emulator.requests).toHaveLength(1);
    await fx?.close();
    fx = await gatewayFixture((emulator2) => {
      const real = emulator2.bedrock.createCredentials();
      return {
        providers: {
          bedrock: {
            baseURL: emulator2.url,
            accessKeyId: real.accessKeyId,
            secretAccessKey: "wrong-secret-value-0123456789",
          },
        },
        retry: { retries: 0 },
      };
    });
    const refused = await fx.client.chat.completions
      .create({ model: claude, messages: [{ role: "user", content: "no" }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403 });
    expect(String((refused as Error).message)).toContain("signature");
    expect(JSON.stringify(refused)).not.toContain("wrong-secret-value");
    expect(JSON.stringify(fx.sink.logs)).not.toContain("wrong-secret-value");
  });
});
