import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** A gateway with an Azure OpenAI resource and an Azure AI inference endpoint, both on the emulator. */
async function azureFixture(azure: Record<string, unknown> = {}): Promise<GatewayFixture> {
  fx = await gatewayFixture((emulator) => ({
    providers: {
      azure: {
        baseURL: `${emulator.url}/azure`,
        apiKey: "azure-resource-key",
        apiVersion: "2024-10-21",
        deployments: { "gpt-4o": "prod-gpt4o" },
        ...azure,
      },
      azure_ai: { baseURL: `${emulator.url}/azure-ai`, apiKey: "azure-ai-key" },
    },
    allowedBaseURLHosts: [new URL(emulator.url).host],
  }));
  return fx;
}

describe("Azure OpenAI and Azure AI model inference", () => {
  it("azure/gpt-4o reaches its deployment with api-key and api-version: chat, stream, Responses, Messages, embeddings", async () => {
    const { client, emulator, sink, gateway } = await azureFixture();
    const answer = await client.chat.completions.create({
      model: "azure/gpt-4o",
      messages: [{ role: "user", content: "hello azure" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: hello azure");
    let streamed = "";
    for await (const chunk of await client.chat.completions.create({
      model: "azure/gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "stream azure" }],
    }))
      streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe("Echo: stream azure");
    const response = await client.responses.create({ model: "azure/gpt-4o", input: "respond azure" });
    expect(response.output_text).toBe("Echo: respond azure");
    const anthropic = new Anthropic({
      apiKey: "unused",
      baseURL: "http://keyway.local",
      fetch: gateway.fetch,
    });
    const message = await anthropic.messages.create({
      model: "azure/gpt-4o",
      max_tokens: 50,
      messages: [{ role: "user", content: "messages azure" }],
    });
    expect(message.content[0]).toMatchObject({ type: "text", text: "Echo: messages azure" });
    const embedding = await client.embeddings.create({
      model: "azure/text-embedding-3-small",
      input: "embed",
    });
    expect(embedding.data[0]?.embedding.length).toBeGreaterThan(0);

    expect(emulator.requests.map((request) => request.path)).toEqual([
      "/azure/openai/deployments/prod-gpt4o/chat/completions",
      "/azure/openai/deployments/prod-gpt4o/chat/completions",
      "/azure/openai/deployments/prod-gpt4o/responses",
      "/azure/openai/deployments/prod-gpt4o/chat/completions",
      "/azure/openai/deployments/text-embedding-3-small/embeddings",
    ]);
    for (const request of emulator.requests) {
      expect(request.headers["api-key"]).toBe("azure-resource-key");
      expect(request.headers.authorization).toBeUndefined();
    }
    expect(sink.logs.map((log) => [log.provider_id, log.model])).toEqual([
      ["azure", "azure/gpt-4o"],
      ["azure", "azure/gpt-4o"],
      ["azure", "azure/gpt-4o"],
      ["azure", "azure/gpt-4o"],
      ["azure", "azure/text-embedding-3-small"],
    ]);
    for (const log of sink.logs) expect(JSON.stringify(log)).not.toContain("azure-resource-key");
  });

  it("azure_openai is an alias, api version v1 uses /openai/v1/, and azure_ai reaches /models/ with its version", async () => {
    const { client, emulator } = await azureFixture({ apiVersion: "v1" });
    await client.chat.completions.create({
      model: "azure_openai/gpt-4o",
      messages: [{ role: "user", content: "v1" }],
    });
    await client.chat.completions.create({
      model: "azure_ai/DeepSeek-R1",
      messages: [{ role: "user", content: "ai" }],
    });
    await client.chat.completions.create({
      model: "azure_deepseek/DeepSeek-R1",
      messages: [{ role: "user", content: "ai" }],
    });
    expect(emulator.requests.map((request) => [request.path, request.model])).toEqual([
      ["/azure/openai/v1/chat/completions", "prod-gpt4o"],
      ["/azure-ai/models/chat/completions", "DeepSeek-R1"],
      ["/azure-ai/models/chat/completions", "DeepSeek-R1"],
    ]);
    expect(emulator.requests[1]?.headers["api-key"]).toBe("azure-ai-key");
  });

  it("takes a request's own Azure resource from customer_credentials.azure, allow-listed", async () => {
    const { client, emulator } = await azureFixture();
    const own = {
      customer_credentials: {
        azure: {
          api_key: "customer-azure-key",
          api_base: `${emulator.url}/azure`,
          api_version: "2025-01-01-preview",
          model_name_map: { "gpt-4o": "their-gpt4o" },
        },
      },
    };
    await client.chat.completions.create({
      model: "azure/gpt-4o",
      messages: [{ role: "user", content: "mine" }],
      ...own,
    } as never);
    expect(emulator.requests[0]?.headers["api-key"]).toBe("customer-azure-key");
    // Respan's model_name_map: the caller's resource names its own deployments.
    expect(emulator.requests[0]?.path).toBe("/azure/openai/deployments/their-gpt4o/chat/completions");
    const elsewhere = await client.chat.completions
      .create({
        model: "azure/gpt-4o",
        messages: [{ role: "user", content: "mine" }],
        customer_credentials: { azure: { api_key: "k", api_base: "https://evil.example.com" } },
      } as never)
      .catch((error: unknown) => error);
    expect(elsewhere).toMatchObject({ status: 400, code: "base_url_not_allowed" });
    expect(emulator.requests).toHaveLength(1);
  });

  it("an API version Azure does not know is Azure's 404; a resource with no endpoint is a 400 naming where to set it", async () => {
    const { client } = await azureFixture({ apiVersion: "2019-01-01" });
    const refused = await client.chat.completions
      .create({ model: "azure/gpt-4o", messages: [{ role: "user", content: "old" }] })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 404 });
    await fx?.close();
    fx = await gatewayFixture({ providers: { azure: { apiKey: "k" } } });
    const nowhere = await fx.client.chat.completions
      .create({ model: "azure/gpt-4o", messages: [{ role: "user", content: "where" }] })
      .catch((error: unknown) => error);
    expect(nowhere).toMatchObject({ status: 400, code: "base_url_missing" });
    expect(String((nowhere as Error).message)).toContain("AZURE_OPENAI_ENDPOINT");
  });
});

describe("Azure credentials beyond one api-key", () => {
  it("a pool of Azure resources, each with its own endpoint: a refused one fails over to the other", async () => {
    fx = await gatewayFixture((emulator) => ({
      providers: {
        azure: {
          keys: [
            { apiKey: "east-key", baseURL: `${emulator.url}/azure`, weight: 1000 },
            { apiKey: "west-key", baseURL: `${emulator.url}/azure-west`, weight: 1 },
          ],
          deployments: { "gpt-4o": "prod-gpt4o" },
        },
      },
    }));
    fx.emulator.fault({ match: { apiKey: "east-key" }, status: 429, retryAfter: 30 });
    const answer = await fx.client.chat.completions.create({
      model: "azure/gpt-4o",
      messages: [{ role: "user", content: "pool" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: pool");
    expect(fx.emulator.requests.map((request) => [request.path, request.apiKey])).toEqual([
      ["/azure/openai/deployments/prod-gpt4o/chat/completions", "east-key"],
      ["/azure-west/openai/deployments/prod-gpt4o/chat/completions", "west-key"],
    ]);
  });

  it("an Entra ID token in place of the api-key, from config or per request; an expired one is Azure's 401", async () => {
    let token = "";
    fx = await gatewayFixture((emulator) => {
      token = emulator.entra.create();
      return { providers: { azure: { baseURL: `${emulator.url}/azure`, azureAdToken: token } } };
    });
    await fx.client.chat.completions.create({
      model: "azure/gpt-4o",
      messages: [{ role: "user", content: "entra" }],
    });
    expect(fx.emulator.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(fx.emulator.requests[0]?.headers["api-key"]).toBeUndefined();
    const expired = fx.emulator.entra.create(-1);
    const refused = await fx.client.chat.completions
      .create({
        model: "azure/gpt-4o",
        messages: [{ role: "user", content: "late" }],
        customer_credentials: { azure: { azure_ad_token: expired } },
      } as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401 });
    expect(JSON.stringify(refused)).not.toContain(expired);
    expect(JSON.stringify(fx.sink.logs)).not.toContain(token);
  });
});
