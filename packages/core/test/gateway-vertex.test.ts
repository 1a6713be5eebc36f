import { generateKeyPairSync } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import type { ServiceAccountJson } from "@keyway/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

let account: ServiceAccountJson;
async function vertexFixture(extra: Record<string, unknown> = {}): Promise<GatewayFixture> {
  fx = await gatewayFixture((emulator) => {
    account = emulator.vertex.createServiceAccount("my-project");
    return {
      providers: { vertex_ai: { baseURL: emulator.url, serviceAccount: account, location: "us-east5" } },
      allowedBaseURLHosts: [new URL(emulator.url).host],
      ...extra,
    };
  });
  return fx;
}

const root = "/v1/projects/my-project/locations/us-east5/publishers";
const noSecrets = (text: string) => {
  expect(text).not.toContain("PRIVATE KEY");
  expect(text).not.toContain(account.private_key.split("\n")[1]);
  expect(text).not.toMatch(/ya29\.emu-/);
};

describe("Google Vertex AI", () => {
  it("Gemini and Claude through Vertex with a service account's OAuth token: chat, stream, Messages, Gemini face", async () => {
    const { client, emulator, sink, gateway } = await vertexFixture();
    const gemini = await client.chat.completions.create({
      model: "vertex_ai/gemini-2.5-flash",
      messages: [{ role: "user", content: "hello vertex" }],
    });
    expect(gemini.choices[0]?.message.content).toBe("Echo: hello vertex");
    let streamed = "";
    for await (const chunk of await client.chat.completions.create({
      model: "vertex_ai/gemini-2.5-flash",
      stream: true,
      messages: [{ role: "user", content: "stream vertex" }],
    }))
      streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe("Echo: stream vertex");
    const claude = await client.chat.completions.create({
      model: "vertex_ai/claude-sonnet-4-5@20250929",
      messages: [{ role: "user", content: "claude on vertex" }],
    });
    expect(claude.choices[0]?.message.content).toBe("Echo: claude on vertex");
    const anthropic = new Anthropic({
      apiKey: "unused",
      baseURL: "http://keyway.local",
      fetch: gateway.fetch,
    });
    const stream = anthropic.messages.stream({
      model: "vertex/claude-sonnet-4-5@20250929",
      max_tokens: 50,
      messages: [{ role: "user", content: "messages stream" }],
    });
    expect((await stream.finalMessage()).content[0]).toMatchObject({ text: "Echo: messages stream" });
    const face = await gateway.fetch(
      new Request("http://keyway.local/v1beta/models/google_vertex_ai/gemini-2.5-flash:generateContent", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "gemini face" }] }] }),
      }),
    );
    expect(
      ((await face.json()) as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]
        ?.content.parts[0]?.text,
    ).toBe("Echo: gemini face");

    expect(emulator.requests.map((request) => request.path)).toEqual([
      `${root}/google/models/gemini-2.5-flash:generateContent`,
      `${root}/google/models/gemini-2.5-flash:streamGenerateContent`,
      `${root}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`,
      `${root}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`,
      `${root}/google/models/gemini-2.5-flash:generateContent`,
    ]);
    const claudeBody = emulator.requests[3]?.body as Record<string, unknown>;
    expect(claudeBody.anthropic_version).toBe("vertex-2023-10-16");
    // One token for every call: cached, not fetched per call.
    expect(emulator.vertex.issued).toHaveLength(1);
    expect(sink.logs.map((log) => log.provider_id)).toEqual(Array(5).fill("vertex_ai"));
    noSecrets(JSON.stringify(sink.logs));
  });

  it("calls arriving together share one token fetch; an expired token is fetched again before it is refused", async () => {
    const { client, emulator } = await vertexFixture();
    emulator.vertex.tokenLifetimeSeconds = 1;
    const ask = () =>
      client.chat.completions.create({
        model: "vertex_ai/gemini-2.5-flash",
        messages: [{ role: "user", content: "hi" }],
      });
    await Promise.all(Array.from({ length: 10 }, ask));
    expect(emulator.vertex.issued).toHaveLength(1);
    await ask();
    expect(emulator.vertex.issued).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await ask(); // the cached token is within its last tenth (or gone): a new one, and the call succeeds
    expect(emulator.vertex.issued).toHaveLength(2);
  });

  it("a service account Google does not know is a typed 401, without its key in the error", async () => {
    const { client, emulator } = await vertexFixture();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const stranger = {
      ...account,
      client_email: "stranger@my-project.iam.gserviceaccount.com",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
    const refused = await client.chat.completions
      .create({
        model: "vertex_ai/gemini-2.5-flash",
        messages: [{ role: "user", content: "hi" }],
        customer_credentials: { vertex_ai: { vertex_ai_credentials: JSON.stringify(stranger) } },
      } as never)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401, code: "credentials_invalid" });
    expect(String((refused as Error).message)).toContain("invalid_grant");
    expect(JSON.stringify(refused)).not.toContain("PRIVATE KEY");
    expect(emulator.requests).toHaveLength(0);
  });

  it("customer_credentials.vertex_ai names its own project and location; its token_uri must be allow-listed", async () => {
    const { client, emulator } = await vertexFixture();
    const own = emulator.vertex.createServiceAccount("their-project");
    await client.chat.completions.create({
      model: "vertex_ai/gemini-2.5-flash",
      messages: [{ role: "user", content: "theirs" }],
      customer_credentials: {
        vertex_ai: {
          vertex_ai_project: "their-project",
          vertex_ai_location: "europe-west4",
          vertex_ai_credentials: JSON.stringify(own),
        },
      },
    } as never);
    expect(emulator.requests[0]?.path).toBe(
      "/v1/projects/their-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent",
    );
    await fx?.close();
    fx = await gatewayFixture((emulator2) => ({
      providers: {
        vertex_ai: { baseURL: emulator2.url, serviceAccount: emulator2.vertex.createServiceAccount() },
      },
    }));
    const elsewhere = await fx.client.chat.completions
      .create({
        model: "vertex_ai/gemini-2.5-flash",
        messages: [{ role: "user", content: "theirs" }],
        customer_credentials: { vertex_ai: { vertex_ai_credentials: JSON.stringify(own) } },
      } as never)
      .catch((error: unknown) => error);
    expect(elsewhere).toMatchObject({ status: 400, code: "base_url_not_allowed" });
  });
});
