import { generateKeyPairSync } from "node:crypto";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { GoogleGenAI } from "@google/genai";
import { cloudModels, cloudProviders } from "@keyway/testing";
import { jsonSchema, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
let cloud: ReturnType<typeof cloudProviders>;
beforeAll(async () => {
  fx = await serverFixture((emulator) => {
    cloud = cloudProviders(emulator);
    return { providers: cloud.providers };
  });
});
afterAll(() => fx.close());

interface Log {
  model: string;
  log_type: string;
  stream: boolean;
  status: string;
  completion_tokens?: number;
  prompt_tokens?: number;
  finish_reason?: string;
  time_to_first_token?: number;
  provider_id?: string;
}
const logsOf = async (model: string): Promise<Log[]> =>
  (
    (await (await fx.call("/api/request-logs/?log_source=gateway&limit=500")).json()) as { results: Log[] }
  ).results.filter((log) => log.model === model);
const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("the clouds through keyway serve", () => {
  for (const model of cloudModels)
    it(`${model}: openai chat with tools, a stream and Responses, each logged once with usage, stop reason and TTFT`, async () => {
      const client = new OpenAI({ apiKey: API_KEY, baseURL: `${fx.server.url}/v1`, maxRetries: 0 });
      const tool = await client.chat.completions.create({
        model,
        tools: [weather],
        tool_choice: "required",
        messages: [{ role: "user", content: "Lisbon" }],
      });
      expect(tool.choices[0]?.finish_reason).toBe("tool_calls");
      let text = "";
      for await (const chunk of await client.chat.completions.create({
        model,
        stream: true,
        messages: [{ role: "user", content: "stream the cloud" }],
      }))
        text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe("Echo: stream the cloud");
      const response = await client.responses.create({ model, input: "respond cloud" });
      expect(response.output_text).toBe("Echo: respond cloud");
      const logs = await logsOf(model);
      expect(logs.map((log) => [log.log_type, log.stream]).sort()).toEqual([
        ["chat", false],
        ["chat", true],
        ["response", false],
      ]);
      for (const log of logs) {
        expect(log.status).toBe("success");
        expect(log.completion_tokens).toBeGreaterThan(0);
        expect(log.prompt_tokens).toBeGreaterThan(0);
      }
      const streamed = logs.find((log) => log.stream);
      expect(streamed?.time_to_first_token).toBeGreaterThan(0);
      expect(streamed?.finish_reason).toBe("stop");
    });

  it("the AI SDK (openai-compatible and anthropic) and @google/genai reach every cloud, streamed", async () => {
    const compatible = createOpenAICompatible({
      name: "keyway",
      baseURL: `${fx.server.url}/v1`,
      apiKey: API_KEY,
      includeUsage: true,
    });
    const anthropic = createAnthropic({ baseURL: `${fx.server.url}/v1`, apiKey: API_KEY });
    const google = new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: fx.server.url } });
    for (const model of cloudModels) {
      const viaCompatible = streamText({ model: compatible(model), prompt: "ai sdk cloud" });
      expect(await viaCompatible.text).toBe("Echo: ai sdk cloud");
      expect((await viaCompatible.usage).outputTokens).toBe(4);
      const viaAnthropic = streamText({ model: anthropic(model), prompt: "messages cloud" });
      expect(await viaAnthropic.text).toBe("Echo: messages cloud");
      // Tools through the AI SDK: the model calls it, the SDK runs it, the model answers with its result.
      const withTool = streamText({
        model: compatible(model),
        prompt: "use weather for Oslo",
        tools: {
          weather: tool({
            description: "Weather for a city",
            inputSchema: jsonSchema<{ city: string }>({
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            }),
            execute: async ({ city }) => `sunny in ${city}`,
          }),
        },
        stopWhen: stepCountIs(2),
      });
      expect(await withTool.text).toBe("Tool result: sunny in use weather for Oslo");
      expect((await withTool.steps)[0]?.finishReason).toBe("tool-calls");
      let genai = "";
      for await (const chunk of await google.models.generateContentStream({ model, contents: "genai cloud" }))
        genai += chunk.text ?? "";
      expect(genai).toBe("Echo: genai cloud");
    }
  });

  it("leaks no cloud secret into logs, errors or the dashboard, even for refused credentials", async () => {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${fx.server.url}/v1`, maxRetries: 0 });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const strangerKey = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const wrong = {
      azure: { api_key: "azure-wrong-key-0123456789abcdef" },
      bedrock: {
        aws_access_key_id: "AKIAWRONGWRONGWRONG1",
        aws_secret_access_key: "wrong-aws-secret-0123456789abcdef",
      },
      vertex_ai: {
        vertex_ai_credentials: JSON.stringify({
          client_email: "x@y.iam.gserviceaccount.com",
          private_key: strangerKey,
        }),
      },
    };
    const errors: string[] = [];
    for (const [model, provider] of [
      ["azure/gpt-4o", "azure"],
      ["bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock"],
      ["vertex_ai/gemini-2.5-flash", "vertex_ai"],
    ] as const) {
      const error = await client.chat.completions
        .create({
          model,
          messages: [{ role: "user", content: "refused" }],
          customer_credentials: { [provider]: wrong[provider] },
        } as never)
        .catch((caught: { status?: number; error?: unknown; message?: string }) => caught);
      // Bedrock and Vertex refuse these; the emulated Azure resource takes any key (it checks only that one came).
      if (provider !== "azure") expect((error as { status?: number }).status).toBeGreaterThanOrEqual(400);
      errors.push(JSON.stringify(error), String((error as Error).message));
    }
    const everything = [
      ...errors,
      await (await fx.call("/api/request-logs/?limit=500")).text(),
      await (await fx.call("/")).text(),
    ].join("\n");
    const secrets = [
      ...cloud.secrets(),
      wrong.azure.api_key,
      wrong.bedrock.aws_secret_access_key,
      ...strangerKey
        .split("\n")
        .filter((line) => line && !line.startsWith("-----"))
        .slice(0, 3),
    ];
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets) expect(everything, `leaked ${secret.slice(0, 6)}…`).not.toContain(secret);
  });
});
