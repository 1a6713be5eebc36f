import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { endpointURL } from "../src/gateway/upstream/endpoint-url.js";
import { ProviderRegistry } from "../src/providers/provider-registry.js";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe("cloud credentials from the environment", () => {
  it("Bedrock from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN and AWS_REGION", async () => {
    fx = await gatewayFixture((emulator) => {
      const keys = emulator.bedrock.createCredentials({ temporary: true });
      return {
        providers: { bedrock: { baseURL: emulator.url } },
        env: {
          AWS_ACCESS_KEY_ID: keys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
          AWS_SESSION_TOKEN: keys.sessionToken,
          AWS_REGION: "ap-southeast-2",
        },
      };
    });
    const answer = await fx.client.chat.completions.create({
      model: "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
      messages: [{ role: "user", content: "from env" }],
    });
    expect(answer.choices[0]?.message.content).toBe("Echo: from env");
    expect(fx.emulator.bedrock.regions).toEqual(["ap-southeast-2"]);
  });

  it("Vertex AI from GOOGLE_APPLICATION_CREDENTIALS (a key file) and VERTEXAI_LOCATION", async () => {
    fx = await gatewayFixture((emulator) => {
      const file = join(mkdtempSync(join(tmpdir(), "keyway-sa-")), "key.json");
      writeFileSync(file, JSON.stringify(emulator.vertex.createServiceAccount("env-project")));
      return {
        providers: { vertex_ai: { baseURL: emulator.url } },
        env: { GOOGLE_APPLICATION_CREDENTIALS: file, VERTEXAI_LOCATION: "asia-northeast1" },
      };
    });
    await fx.client.chat.completions.create({
      model: "vertex_ai/gemini-2.5-flash",
      messages: [{ role: "user", content: "from env" }],
    });
    expect(fx.emulator.requests[0]?.path).toBe(
      "/v1/projects/env-project/locations/asia-northeast1/publishers/google/models/gemini-2.5-flash:generateContent",
    );
  });

  it("public hosts: Bedrock and Vertex by region, Vertex's global location on its global host", () => {
    const registry = new ProviderRegistry();
    const bedrock = registry.resolve("bedrock/amazon.nova-pro-v1:0");
    expect(
      endpointURL(
        { ...bedrock, baseURL: bedrock.provider.baseURL, region: "eu-west-1" },
        "/model/x/converse",
      ),
    ).toBe("https://bedrock-runtime.eu-west-1.amazonaws.com/model/x/converse");
    const vertex = registry.resolve("vertex_ai/gemini-2.5-flash");
    const target = { ...vertex, baseURL: vertex.provider.baseURL, project: "p" };
    expect(endpointURL({ ...target, location: "us-east5" }, "/models/gemini-2.5-flash:generateContent")).toBe(
      "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent",
    );
    expect(endpointURL({ ...target, location: "global" }, "/models/gemini-2.5-flash:generateContent")).toBe(
      "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:generateContent",
    );
  });
});
