import { waitFor } from "@keyway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, callJson, openaiClient, startPlatform } from "./platform-fixture.js";

let platform: Awaited<ReturnType<typeof startPlatform>>;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(() => platform?.close());

const call = (key: string | undefined, method: string, path: string, body?: unknown) =>
  callJson(platform.server.url, key, method, path, body);
const createKey = async (name: string, scopes: string[], extra: Record<string, unknown> = {}) => {
  const created = await call(ADMIN_KEY, "POST", "/api/api-keys/", { name, scopes, ...extra });
  expect(created.status).toBe(201);
  return created.body as { id: string; key: string; prefix: string; scopes: string[]; name: string };
};
const log = (id: string) => ({ unique_id: id, model: "gpt-4o-mini", prompt_tokens: 1, completion_tokens: 1 });

describe("API keys with scopes", () => {
  it("creates a key shown once, lists it without the key or its hash", async () => {
    const created = await createKey("app ingest", ["ingest"]);
    expect(created.key).toMatch(/^kw-[A-Za-z0-9_-]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 10));
    expect(created).toMatchObject({ name: "app ingest", scopes: ["ingest"] });
    expect(typeof (created as unknown as { created_at: string }).created_at).toBe("string");
    const list = await call(ADMIN_KEY, "GET", "/api/api-keys");
    expect(list.status).toBe(200);
    const entry = list.body.results?.find((item) => item.id === created.id);
    expect(entry).toMatchObject({
      id: created.id,
      name: "app ingest",
      prefix: created.prefix,
      scopes: ["ingest"],
    });
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(entry).not.toHaveProperty("hash");
    expect(entry).not.toHaveProperty("key");
  });

  it("an ingest key posts logs and traces, and gets 403 on reads, config and the gateway", async () => {
    const { key } = await createKey("embedded", ["ingest"]);
    expect((await call(key, "POST", "/api/request-logs/create/", log("ingest-1"))).status).toBe(201);
    expect((await call(key, "POST", "/api/v1/traces/ingest", [log("ingest-span")])).status).toBe(200);
    for (const [method, path] of [
      ["GET", "/api/request-logs/"],
      ["GET", "/api/request-logs/ingest-1/"],
      ["GET", "/api/metrics/"],
      ["GET", "/api/traces/"],
      ["GET", "/api/gateway/keys/"],
      ["GET", "/api/providers/"],
      ["GET", "/api/api-keys/"],
      ["GET", "/api/audit-log/"],
      ["POST", "/api/models/"],
    ] as const) {
      const answer = await call(key, method, path, method === "POST" ? {} : undefined);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.code).toBe("forbidden");
      expect(answer.body.detail).toContain("scope");
    }
    await expect(
      openaiClient(platform.server.url, key).chat.completions.create({
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: "hi" }],
      }),
    ).rejects.toMatchObject({ status: 403 });
    expect(platform.emulator.requests.length).toBe(0);
  });

  it("a read key reads logs but cannot post logs or call models", async () => {
    const { key } = await createKey("analyst", ["read"]);
    await waitFor(async () => (await call(ADMIN_KEY, "GET", "/api/request-logs/ingest-1/")).status === 200);
    const read = await call(key, "GET", "/api/request-logs/ingest-1/");
    expect(read.status).toBe(200);
    expect(read.body.unique_id).toBe("ingest-1");
    expect((await call(key, "POST", "/api/request-logs/create/", log("read-1"))).status).toBe(403);
    expect((await call(key, "POST", "/v1/traces", {})).status).toBe(403);
    const chat = await call(key, "POST", "/api/chat/completions", {
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat.status).toBe(403);
    expect((await call(key, "POST", "/api/providers/", { provider_id: "x" })).status).toBe(403);
  });

  it("a gateway key calls models through the OpenAI SDK and nothing else", async () => {
    const { key } = await createKey("backend", ["gateway"]);
    const completion = await openaiClient(platform.server.url, key).chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const models = await openaiClient(platform.server.url, key).models.list();
    expect(Array.isArray(models.data)).toBe(true);
    expect((await call(key, "GET", "/api/request-logs/")).status).toBe(403);
  });

  it("a revoked key is refused at once, and the audit log names who did what", async () => {
    const { id, key } = await createKey("short-lived", ["read", "gateway"]);
    expect((await call(key, "GET", "/api/metrics/")).status).toBe(200);
    const revoked = await call(ADMIN_KEY, "DELETE", `/api/api-keys/${id}/`);
    expect(revoked.status).toBe(200);
    expect(typeof revoked.body.revoked_at).toBe("string");
    const refused = await call(key, "GET", "/api/metrics/");
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("unauthorized");
    expect((await call("kw-never-issued", "GET", "/api/metrics/")).status).toBe(401);
    expect((await call(undefined, "GET", "/api/metrics/")).status).toBe(401);

    const audit = await call(ADMIN_KEY, "GET", "/api/audit-log/");
    expect(audit.status).toBe(200);
    const [newest, previous] = audit.body.results ?? [];
    expect(newest).toMatchObject({ actor: "ops", action: "api_key.revoke" });
    expect(newest?.target).toContain(id);
    expect(previous).toMatchObject({ actor: "ops", action: "api_key.create" });
    expect(Date.parse(newest?.at as string)).toBeGreaterThanOrEqual(Date.parse(previous?.at as string));
    expect(JSON.stringify(audit.body)).not.toContain(key);
  });

  it("an admin key made through the API manages keys, and its name is the audit actor", async () => {
    const admin = await createKey("platform team", ["admin"]);
    const made = await call(admin.key, "POST", "/api/api-keys/", { name: "made by admin", scopes: ["read"] });
    expect(made.status).toBe(201);
    const audit = await call(admin.key, "GET", "/api/audit-log/?limit=1");
    expect(audit.body.results).toEqual([
      expect.objectContaining({ actor: "platform team", action: "api_key.create" }),
    ]);
    expect(audit.body.next_cursor).toEqual(expect.any(String));
    // An admin key reads no logs: scopes are not a ladder.
    expect((await call(admin.key, "GET", "/api/request-logs/")).status).toBe(403);
  });

  it("enforces a key's allowed models, rate limit and budget before anything is sent", async () => {
    const chat = (key: string, model: string, extra: Record<string, unknown> = {}) =>
      call(key, "POST", "/api/chat/completions", {
        model,
        messages: [{ role: "user", content: "hi" }],
        ...extra,
      });
    const sent = () => platform.emulator.requests.length;

    const narrow = await createKey("narrow", ["gateway"], { allowed_models: ["groq/llama-3.1-8b-instant"] });
    expect((await chat(narrow.key, "groq/llama-3.1-8b-instant")).status).toBe(200);
    const before = sent();
    const refused = await chat(narrow.key, "groq/llama-3.3-70b-versatile");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: "model_not_allowed" } });
    // A fallback outside the list is refused too: the call could otherwise end up there.
    const viaFallback = await chat(narrow.key, "groq/llama-3.1-8b-instant", {
      fallback_models: ["groq/llama-3.3-70b-versatile"],
    });
    expect(viaFallback.status).toBe(403);
    expect(sent()).toBe(before);

    const limited = await createKey("limited", ["gateway"], { rate_limits: { requests_per_minute: 2 } });
    expect((await chat(limited.key, "groq/llama-3.1-8b-instant")).status).toBe(200);
    expect((await chat(limited.key, "groq/llama-3.1-8b-instant")).status).toBe(200);
    const third = await chat(limited.key, "groq/llama-3.1-8b-instant");
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    // Counted per key: another key is not held back by this one's limit.
    expect((await chat(narrow.key, "groq/llama-3.1-8b-instant")).status).toBe(200);

    const broke = await createKey("broke", ["gateway"], { budget: { total_budget: 0 } });
    const overBudget = await chat(broke.key, "groq/llama-3.1-8b-instant");
    expect(overBudget.status).toBe(429);
    expect(overBudget.body).toMatchObject({ error: { code: "budget_exceeded" } });
    // A budget is spent by the key's calls: the first one's cost leaves nothing for the second.
    const tiny = await createKey("tiny", ["gateway"], { budget: { total_budget: 0.000000001 } });
    expect((await chat(tiny.key, "groq/llama-3.1-8b-instant")).status).toBe(200);
    const spent = await chat(tiny.key, "groq/llama-3.1-8b-instant");
    expect(spent.status).toBe(429);
    expect(spent.body).toMatchObject({ error: { code: "budget_exceeded" } });
    const funded = await createKey("funded", ["gateway"], {
      budget: { period_budget: 100, budget_duration: "monthly" },
    });
    expect((await chat(funded.key, "groq/llama-3.1-8b-instant")).status).toBe(200);
  });

  it("refuses every malformed field with a 400 naming it, and writes nothing", async () => {
    const before = (await call(ADMIN_KEY, "GET", "/api/api-keys/")).body.results?.length;
    const cases: [unknown, string][] = [
      [[], ""],
      [{ scopes: ["read"] }, "name"],
      [{ name: 5, scopes: ["read"] }, "name"],
      [{ name: "x".repeat(101), scopes: ["read"] }, "name"],
      [{ name: "a" }, "scopes"],
      [{ name: "a", scopes: [] }, "scopes"],
      [{ name: "a", scopes: "read" }, "scopes"],
      [{ name: "a", scopes: ["root"] }, "scopes[0]"],
      [{ name: "a", scopes: ["read"], allowed_models: "gpt-4o" }, "allowed_models"],
      [{ name: "a", scopes: ["read"], allowed_models: [""] }, "allowed_models[0]"],
      [
        { name: "a", scopes: ["read"], budget: { period_budget: -1, budget_duration: "daily" } },
        "budget.period_budget",
      ],
      [{ name: "a", scopes: ["read"], budget: { period_budget: 1 } }, "budget.budget_duration"],
      [
        { name: "a", scopes: ["read"], budget: { period_budget: 1, budget_duration: "hourly" } },
        "budget.budget_duration",
      ],
      [{ name: "a", scopes: ["read"], budget: { limit: 1 } }, "budget.limit"],
      [
        { name: "a", scopes: ["read"], rate_limits: { requests_per_minute: 0.5 } },
        "rate_limits.requests_per_minute",
      ],
      [
        { name: "a", scopes: ["read"], rate_limits: { requests_per_minute: "10" } },
        "rate_limits.requests_per_minute",
      ],
      [{ name: "a", scopes: ["read"], rate_limits: {} }, "rate_limits"],
      [{ name: "a", scopes: ["read"], role: "admin" }, "role"],
    ];
    for (const [body, field] of cases) {
      const answer = await call(ADMIN_KEY, "POST", "/api/api-keys/", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.code).toBe("invalid_request");
      if (field) expect(answer.body.field, JSON.stringify(body)).toBe(field);
    }
    const broken = await fetch(`${platform.server.url}/api/api-keys/`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect((await call(ADMIN_KEY, "GET", "/api/api-keys/")).body.results?.length).toBe(before);
    expect((await call(ADMIN_KEY, "DELETE", "/api/api-keys/ak_missing/")).status).toBe(404);
  });
});
