import { existsSync, readFileSync, statSync } from "node:fs";
import { waitFor } from "@keyway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeywayServer } from "../src/keyway-server.js";
import { keyFileOf } from "../src/secrets/master-key.js";
import { ADMIN_KEY, callJson, openaiClient, startPlatform } from "./platform-fixture.js";

let platform: Awaited<ReturnType<typeof startPlatform>>;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(() => platform?.close());

const call = (method: string, path: string, body?: unknown) =>
  callJson(platform.server.url, ADMIN_KEY, method, path, body);
const chat = (model: string) =>
  openaiClient(platform.server.url, ADMIN_KEY).chat.completions.create({
    model,
    messages: [{ role: "user", content: "hi" }],
  });
/** Which upstream key each of `n` calls to `model` used. */
async function keysUsed(model: string, n: number): Promise<Map<string, number>> {
  const start = platform.emulator.requests.length;
  for (let index = 0; index < n; index++) await chat(model);
  const used = new Map<string, number>();
  for (const request of platform.emulator.requests.slice(start))
    used.set(request.apiKey ?? "", (used.get(request.apiKey ?? "") ?? 0) + 1);
  return used;
}
const secrets: string[] = ["acme-secret-0001", "gsk-api-aaaa", "gsk-api-bbbb"];

describe("providers, keys and models managed through the API", () => {
  it("adds a custom provider (Respan's Custom Providers API) and upserts it by provider_id", async () => {
    const created = await call("POST", "/api/providers/", {
      provider_id: "acme",
      provider_name: "Acme AI",
      api_key: secrets[0],
      extra_kwargs: { base_url: `${platform.emulator.url}/v1` },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: "acme",
      provider_id: "acme",
      provider_name: "Acme AI",
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const again = await call("POST", "/api/providers", { provider_id: "acme", provider_name: "Acme" });
    expect(again.status).toBe(200);
    expect(again.body.created_at).toBe(created.body.created_at);
    expect(again.body.provider_name).toBe("Acme");
    const one = await call("GET", "/api/providers/acme/");
    expect(one.body).toMatchObject({
      provider_id: "acme",
      custom: true,
      base_url: `${platform.emulator.url}/v1`,
      status: "ready",
      keys: [
        {
          id: expect.any(String),
          fingerprint: expect.stringMatching(/^key_/),
          last4: "0001",
          weight: 1,
          enabled: true,
          source: "api",
        },
      ],
    });
  });

  it("a model with an upstream name and prices is routed and priced at once, and listed for the SDKs", async () => {
    const model = await call("POST", "/api/models/", {
      model_id: "acme-chat",
      provider_id: "acme",
      upstream_model: "acme-large-2",
      input_price: 2,
      output_price: 4,
    });
    expect(model.status).toBe(201);
    const completion = await chat("acme-chat");
    const sent = platform.emulator.requests.at(-1);
    expect(sent).toMatchObject({ apiKey: secrets[0], model: "acme-large-2" });
    const usage = completion.usage as { prompt_tokens: number; completion_tokens: number };
    const logged = await waitFor(async () => {
      const page = await call("GET", "/api/request-logs/?model=acme-chat");
      return page.body.results?.[0];
    });
    expect(logged).toMatchObject({ provider_id: "acme", model: "acme-chat" });
    expect(logged.cost).toBeCloseTo((usage.prompt_tokens * 2 + usage.completion_tokens * 4) / 1e6, 12);

    const listed = await openaiClient(platform.server.url, ADMIN_KEY).models.list();
    const entry = listed.data.find((item) => item.id === "acme-chat") as unknown as Record<string, unknown>;
    expect(entry).toMatchObject({
      object: "model",
      owned_by: "acme",
      provider_id: "acme",
      input_price: 2,
      output_price: 4,
      upstream_model: "acme-large-2",
    });
    expect((await call("GET", "/api/models/acme-chat/")).body).toEqual(entry);
    expect((await call("GET", "/v1/models")).body).toEqual({ object: "list", data: listed.data });

    // An alias is routed and priced as its model.
    const aliased = await call("PATCH", "/api/models/acme-chat/", { aliases: ["acme-default"] });
    expect(aliased.body.aliases).toEqual(["acme-default"]);
    await chat("acme-default");
    expect(platform.emulator.requests.at(-1)).toMatchObject({ apiKey: secrets[0], model: "acme-large-2" });
    expect((await call("GET", "/api/models/acme-default/")).body).toMatchObject({
      provider_id: "acme",
      alias_of: "acme-chat",
      input_price: 2,
      output_price: 4,
    });
    const patched = await call("PATCH", "/api/models/acme-chat/", { input_price: 1, output_price: 1 });
    expect(patched.body).toMatchObject({ input_price: 1, output_price: 1, upstream_model: "acme-large-2" });
    expect((await call("GET", "/api/models/acme-chat")).body).toMatchObject({ input_price: 1 });
  });

  it("stored keys join the configured one in the pool; weights shift traffic; a disabled key is not used", async () => {
    const a = await call("POST", "/api/providers/groq/keys/", { api_key: secrets[1] });
    const b = await call("POST", "/api/providers/groq/keys/", { api_key: secrets[2], weight: 3 });
    expect(a.status).toBe(201);
    expect(b.body).toEqual({
      id: expect.any(String),
      fingerprint: expect.any(String),
      last4: "bbbb",
      weight: 3,
      enabled: true,
      source: "api",
      kind: "api_key",
    });
    const model = "groq/llama-3.1-8b-instant";
    const even = await keysUsed(model, 60);
    expect([...even.keys()].sort()).toEqual(["gsk-api-aaaa", "gsk-api-bbbb", "gsk-config-key"]);
    expect(even.get("gsk-api-bbbb")).toBeGreaterThan(even.get("gsk-api-aaaa") as number);

    await call("PATCH", `/api/providers/groq/keys/${b.body.id}/`, { weight: 10_000 });
    const heavy = await keysUsed(model, 40);
    expect(heavy.get("gsk-api-bbbb")).toBeGreaterThanOrEqual(37);

    const disabled = await call("PATCH", `/api/providers/groq/keys/${b.body.id}`, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, weight: 10_000 });
    const without = await keysUsed(model, 30);
    expect(without.has("gsk-api-bbbb")).toBe(false);
    expect(without.size).toBe(2);

    expect((await call("DELETE", `/api/providers/groq/keys/${a.body.id}/`)).status).toBe(200);
    expect([...(await keysUsed(model, 5)).keys()]).toEqual(["gsk-config-key"]);

    const groq = (await call("GET", "/api/providers/")).body.results?.find(
      (item) => item.provider_id === "groq",
    );
    expect(groq?.keys).toEqual([
      expect.objectContaining({ id: "config-0", source: "config", last4: "-key", enabled: true }),
      expect.objectContaining({ id: b.body.id, source: "api", enabled: false }),
    ]);
  });

  it("cloud credentials added through the API sign the next call: AWS keys for Bedrock, a service account for Vertex AI", async () => {
    const aws = platform.emulator.bedrock.createCredentials({ temporary: true });
    const account = platform.emulator.vertex.createServiceAccount("managed-project");
    const bedrock = await call("PATCH", "/api/providers/bedrock/", {
      extra_kwargs: { base_url: platform.emulator.url, region: "us-west-2" },
    });
    expect(bedrock.status).toBe(201);
    const awsKey = await call("POST", "/api/providers/bedrock/keys/", {
      credentials: {
        access_key_id: aws.accessKeyId,
        secret_access_key: aws.secretAccessKey,
        session_token: aws.sessionToken,
      },
    });
    expect(awsKey.body).toMatchObject({ kind: "aws", last4: aws.accessKeyId.slice(-4) });
    const signed = await chat("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0");
    expect(signed.choices[0]?.message.content).toBeTruthy();
    expect(platform.emulator.requests.at(-1)?.status).toBe(200);

    await call("PATCH", "/api/providers/vertex_ai/", {
      extra_kwargs: { base_url: platform.emulator.url, location: "us-east5" },
    });
    const vertexKey = await call("POST", "/api/providers/vertex_ai/keys/", {
      credentials: { service_account: account },
    });
    expect(vertexKey.body).toMatchObject({ kind: "service_account", weight: 1 });
    const vertex = await chat("vertex_ai/gemini-2.5-flash");
    expect(vertex.choices[0]?.message.content).toBeTruthy();
    expect(platform.emulator.vertex.issued.length).toBeGreaterThan(0);
    secrets.push(
      aws.secretAccessKey,
      aws.sessionToken as string,
      account.private_key.split("\n")[1] as string,
    );
  });

  it("keeps no secret in plain text: not in the database files, nor in any answer", async () => {
    const answers = JSON.stringify([
      (await call("GET", "/api/providers/")).body,
      (await call("GET", "/api/audit-log/?limit=500")).body,
    ]);
    const files = [platform.dbPath, `${platform.dbPath}-wal`, `${platform.dbPath}-shm`].filter(existsSync);
    expect(files.length).toBeGreaterThan(0);
    const stored = Buffer.concat(files.map((file) => readFileSync(file)));
    for (const secret of secrets) {
      expect(stored.includes(secret), secret).toBe(false);
      expect(answers).not.toContain(secret);
    }
    expect(statSync(keyFileOf(platform.dbPath)).mode & 0o777).toBe(0o600);
  });

  it("a wrong master key is a clear start-up error, not garbage keys", async () => {
    await expect(
      startKeywayServer({
        port: 0,
        dbPath: platform.dbPath,
        secretKey: Buffer.alloc(32, 7).toString("base64"),
      }),
    ).rejects.toThrow(/encrypted with another key .*KEYWAY_SECRET_KEY/);
    await expect(
      startKeywayServer({ port: 0, dbPath: platform.dbPath, secretKey: "too-short" }),
    ).rejects.toThrow(/KEYWAY_SECRET_KEY is not a secret key: use 32 bytes/);
  });

  it("refuses malformed fields with a 400 naming each, writing nothing", async () => {
    const audit = async () => (await call("GET", "/api/audit-log/?limit=500")).body.results?.length;
    const before = await audit();
    const cases: [string, string, unknown, string][] = [
      ["POST", "/api/providers/", { provider_name: "x" }, "provider_id"],
      ["POST", "/api/providers/", { provider_id: "Bad Id", provider_name: "x" }, "provider_id"],
      ["POST", "/api/providers/", { provider_id: "newco" }, "provider_name"],
      ["POST", "/api/providers/", { provider_id: "newco", provider_name: "x" }, "extra_kwargs.base_url"],
      [
        "POST",
        "/api/providers/",
        { provider_id: "newco", provider_name: "x", extra_kwargs: { base_url: "ftp://x" } },
        "extra_kwargs.base_url",
      ],
      [
        "POST",
        "/api/providers/",
        { provider_id: "newco", provider_name: "x", extra_kwargs: { base_url: "http://h", timeout: 5 } },
        "extra_kwargs.timeout",
      ],
      [
        "POST",
        "/api/providers/",
        { provider_id: "newco", provider_name: "x", api_key: 42, extra_kwargs: { base_url: "http://h" } },
        "api_key",
      ],
      [
        "POST",
        "/api/providers/",
        { provider_id: "newco", provider_name: ["x"], extra_kwargs: { base_url: "http://h" } },
        "provider_name",
      ],
      ["POST", "/api/providers/groq/keys/", {}, "api_key"],
      ["POST", "/api/providers/groq/keys/", { api_key: "k", weight: 0 }, "weight"],
      ["POST", "/api/providers/groq/keys/", { api_key: "k", weight: "2" }, "weight"],
      ["POST", "/api/providers/groq/keys/", { api_key: "k", enabled: "yes" }, "enabled"],
      ["POST", "/api/providers/groq/keys/", { api_key: "k", credentials: { api_key: "k" } }, "credentials"],
      [
        "POST",
        "/api/providers/bedrock/keys/",
        { credentials: { access_key_id: "AKIAEXAMPLE0000000" } },
        "credentials.secret_access_key",
      ],
      [
        "POST",
        "/api/providers/bedrock/keys/",
        { credentials: { access_key_id: "lower", secret_access_key: "s" } },
        "credentials.access_key_id",
      ],
      [
        "POST",
        "/api/providers/vertex_ai/keys/",
        { credentials: { service_account: { client_email: "x" } } },
        "credentials.service_account",
      ],
      ["POST", "/api/providers/bedrock/keys/", { credentials: { token: "t" } }, "credentials.token"],
      ["POST", "/api/models/", { provider_id: "acme" }, "model_id"],
      ["POST", "/api/models/", { model_id: "m", provider_id: "nowhere" }, "provider_id"],
      ["POST", "/api/models/", { model_id: "m", provider_id: "acme", input_price: 1 }, "output_price"],
      [
        "POST",
        "/api/models/",
        { model_id: "m", provider_id: "acme", input_price: -1, output_price: 1 },
        "input_price",
      ],
      ["POST", "/api/models/", { model_id: "has space", provider_id: "acme" }, "model_id"],
      ["PATCH", "/api/models/acme-chat/", { model_id: "renamed" }, "model_id"],
      ["PATCH", "/api/models/acme-chat/", { aliases: ["acme-chat"] }, "aliases[0]"],
      ["PATCH", "/api/models/acme-chat/", { aliases: "acme-x" }, "aliases"],
      [
        "POST",
        "/api/models/",
        { model_id: "other", provider_id: "acme", aliases: ["acme-default"] },
        "aliases[0]",
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.field, `${method} ${path} ${JSON.stringify(body)}`).toBe(field);
    }
    expect((await call("GET", "/api/providers/nowhere/")).status).toBe(404);
    expect((await call("PATCH", "/api/providers/groq/keys/pk_missing/", { weight: 2 })).status).toBe(404);
    expect((await call("DELETE", "/api/models/never-added/")).status).toBe(404);
    expect(await audit()).toBe(before);
  });

  it("deleting a custom provider removes its keys and models from routing", async () => {
    expect((await call("DELETE", "/api/providers/acme/")).status).toBe(200);
    await expect(chat("acme-chat")).rejects.toMatchObject({ status: 400 });
    expect((await call("GET", "/api/providers/acme/")).status).toBe(404);
    const [newest] = (await call("GET", "/api/audit-log/")).body.results ?? [];
    expect(newest).toMatchObject({ actor: "ops", action: "provider.delete", target: "acme" });
  });
});
