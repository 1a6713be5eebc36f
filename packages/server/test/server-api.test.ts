import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

const legacy = (id: string, extra: Record<string, unknown> = {}) => ({
  unique_id: id,
  model: "gpt-4o-mini",
  prompt_messages: [{ role: "user", content: `question ${id}` }],
  completion_message: { role: "assistant", content: `answer ${id}` },
  prompt_tokens: 1_000,
  completion_tokens: 500,
  generation_time: 1.2,
  ttft: 0.3,
  customer_identifier: "cust-a",
  ...extra,
});

describe("keyway serve: ingest", () => {
  it("stores a legacy-shaped log, computes its cost, and returns it by id", async () => {
    const response = await fx.call("/api/request-logs/create/", {
      json: legacy("legacy-1", { timestamp: "2026-11-23T10:00:00Z", custom_field: { kept: 1 } }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ message: "log created", unique_id: "legacy-1" });
    const log = (await (await fx.call("/api/request-logs/legacy-1")).json()) as Record<string, unknown>;
    expect(log).toMatchObject({
      unique_id: "legacy-1",
      latency: 1.2,
      time_to_first_token: 0.3,
      customer_params: { customer_identifier: "cust-a" },
      custom_field: { kept: 1 },
      status: "success",
    });
    // gpt-4o-mini: $0.15 in, $0.60 out per 1M.
    expect(log.cost).toBeCloseTo((1_000 * 0.15 + 500 * 0.6) / 1_000_000, 12);
  });

  it("stores the current shape (input/output, usage{}, latency) in the same stored form", async () => {
    const response = await fx.call("/api/request-logs/", {
      json: {
        unique_id: "current-1",
        model: "claude-sonnet-4-5",
        input: [{ role: "user", content: "hi" }],
        output: { role: "assistant", content: "yo" },
        usage: { prompt_tokens: 10, completion_tokens: 4 },
        latency: 0.5,
        time_to_first_token: 0.1,
        cost: 0.5,
      },
    });
    expect(response.status).toBe(201);
    const log = (await (await fx.call("/api/request-logs/current-1/")).json()) as Record<string, unknown>;
    expect(log).toMatchObject({
      prompt_messages: [{ role: "user", content: "hi" }],
      completion_message: { content: "yo" },
      prompt_tokens: 10,
      completion_tokens: 4,
      latency: 0.5,
      cost: 0.5,
    });
  });

  it("is idempotent on unique_id", async () => {
    const first = await fx.call("/api/request-logs/create/", { json: legacy("dup-1") });
    const again = await fx.call("/api/request-logs/create/", {
      json: legacy("dup-1", { completion_message: { role: "assistant", content: "changed" } }),
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ message: "duplicate log, nothing stored" });
    const batch = await fx.call("/api/request-logs/batch/", { json: [legacy("dup-1"), legacy("dup-2")] });
    expect(await batch.json()).toMatchObject({ inserted: 1, duplicates: 1 });
    const stored = (await (await fx.call("/api/request-logs/dup-1")).json()) as {
      completion_message: { content: string };
    };
    expect(stored.completion_message.content).toBe("answer dup-1");
  });

  it("takes batches as arrays and {logs:[…]}, on the batch and traces routes", async () => {
    const array = await fx.call("/api/traces/ingest/", { json: [legacy("t-1"), legacy("t-2")] });
    expect(await array.json()).toMatchObject({ inserted: 2, duplicates: 0, unique_ids: ["t-1", "t-2"] });
    const wrapped = await fx.call("/api/request-logs/create/", {
      json: { logs: [legacy("w-1"), legacy("w-2")] },
    });
    expect(await wrapped.json()).toMatchObject({ inserted: 2 });
    const notArray = await fx.call("/api/request-logs/batch/", { json: { model: "x" } });
    expect(notArray.status).toBe(400);
  });

  it("answers before the write with respan_api_controls.block false", async () => {
    const response = await fx.call("/api/request-logs/create/", {
      json: { ...legacy("nb-1"), respan_api_controls: { block: false } },
    });
    expect(response.status).toBe(202);
    let found = 0;
    for (let i = 0; i < 50 && found !== 200; i++) {
      found = (await fx.call("/api/request-logs/nb-1")).status;
      if (found !== 200) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(found).toBe(200);
  });

  it("refuses bad input with the field path, and keeps what was accepted", async () => {
    const bad = async (
      body: string | unknown,
      path = "/api/request-logs/create/",
      headers: Record<string, string> = {},
    ) => {
      const response = await fx.call(path, {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
        headers: { "content-type": "application/json", ...headers },
      });
      return {
        status: response.status,
        body: (await response.json()) as { detail: string; code: string; field?: string },
      };
    };
    expect(await bad("{broken")).toMatchObject({ status: 400, body: { code: "invalid_json" } });
    expect(await bad({ prompt_tokens: "many" })).toMatchObject({
      status: 400,
      body: { code: "invalid_log", field: "prompt_tokens" },
    });
    expect(await bad({ prompt_messages: [{ content: "no role" }] })).toMatchObject({
      status: 400,
      body: { field: "prompt_messages.0.role" },
    });
    expect(await bad([legacy("ok-in-bad-batch"), { latency: -1 }], "/api/request-logs/batch/")).toMatchObject(
      { status: 400, body: { field: "logs.1.latency" } },
    );
    expect((await fx.call("/api/request-logs/ok-in-bad-batch")).status).toBe(404);
    expect(
      await bad({ model: "x", prompt_messages: [{ role: "user", content: "x".repeat(1_100_000) }] }),
    ).toMatchObject({ status: 413, body: { code: "body_too_large" } });
    expect((await fx.call("/api/request-logs/legacy-1")).status).toBe(200);
  });

  it("cuts huge fields with a marker and redacts keys", async () => {
    await fx.call("/api/request-logs/create/", {
      json: legacy("huge-1", {
        prompt_messages: [
          { role: "user", content: `${"y".repeat(5_000)} and my key sk-proj-abcdefghijklmnopqrstuvwxyz` },
        ],
        metadata: { api_key: "sk-anything" },
      }),
    });
    const log = (await (await fx.call("/api/request-logs/huge-1")).json()) as {
      prompt_messages: { content: string }[];
      metadata: Record<string, string>;
    };
    expect(log.prompt_messages[0]?.content).toMatch(/^y{1000}…\[truncated \d+ chars\]$/);
    expect(log.metadata.api_key).toBe("[REDACTED]");
    await fx.call("/api/request-logs/create/", {
      json: legacy("key-in-text", {
        completion_message: { role: "assistant", content: "use sk-proj-abcdefghijklmnopqrstuvwxyz please" },
      }),
    });
    expect(JSON.stringify(await (await fx.call("/api/request-logs/key-in-text")).json())).not.toContain(
      "sk-proj-abcdefghij",
    );
  });

  it("refuses every API route without a valid bearer key", async () => {
    for (const [path, method] of [
      ["/api/request-logs/create/", "POST"],
      ["/api/request-logs/batch/", "POST"],
      ["/api/request-logs/", "GET"],
      ["/api/request-logs/legacy-1", "GET"],
      ["/api/metrics/", "GET"],
      ["/api/chat/completions", "POST"],
      ["/v1/chat/completions", "POST"],
      ["/api/gateway/keys", "GET"],
    ] as const) {
      expect((await fx.call(path, { method, auth: false })).status, path).toBe(401);
      expect(
        (await fx.call(path, { method, auth: false, headers: { authorization: "Bearer wrong" } })).status,
        path,
      ).toBe(401);
    }
    // The key is read the way the gateway reads it for per-key limits: the scheme in any case, or x-api-key.
    for (const headers of [[["authorization", `bearer ${API_KEY}`]], [["x-api-key", API_KEY]]] as [
      string,
      string,
    ][][])
      expect((await fx.call("/api/gateway/keys", { auth: false, headers })).status).toBe(200);
    expect((await fx.call("/", { auth: false })).status).toBe(200);
    expect((await fx.call("/nope")).status).toBe(404);
  });
});

describe("keyway serve: query and metrics", () => {
  beforeAll(async () => {
    const base = Date.parse("2026-11-20T12:00:00Z");
    const logs = Array.from({ length: 30 }, (_, i) =>
      legacy(`q-${String(i).padStart(2, "0")}`, {
        timestamp: new Date(base + i * 60_000).toISOString(),
        customer_identifier: i % 3 === 0 ? "cust-q1" : "cust-q2",
        model: i % 2 === 0 ? "gpt-4o-mini" : "claude-sonnet-4-5",
        provider_id: i % 2 === 0 ? "openai" : "anthropic",
        thread_identifier: i < 5 ? "thread-q" : undefined,
        status_code: i % 10 === 9 ? 500 : 200,
        error_message: i % 10 === 9 ? "upstream failed" : undefined,
        generation_time: (i + 1) / 10,
        log_source: "langchain",
        prompt_messages: [{ role: "user", content: i === 7 ? "find the needle here" : `question ${i}` }],
      }),
    );
    const response = await fx.call("/api/request-logs/batch/", { json: logs });
    expect(response.status).toBe(200);
  });

  const list = async (query: string) =>
    (await (await fx.call(`/api/request-logs/?${query}`)).json()) as {
      results: { unique_id: string }[];
      next_cursor: string | null;
    };

  it("filters by customer, model, provider, status, thread, time range and text", async () => {
    const q = "log_source=langchain&limit=500";
    expect((await list(`${q}&customer_identifier=cust-q1`)).results).toHaveLength(10);
    expect((await list(`${q}&model=claude-sonnet-4-5`)).results).toHaveLength(15);
    expect((await list(`${q}&provider_id=openai`)).results).toHaveLength(15);
    expect((await list(`${q}&status=error`)).results.map((log) => log.unique_id)).toEqual([
      "q-29",
      "q-19",
      "q-09",
    ]);
    expect((await list(`${q}&status=500`)).results).toHaveLength(3);
    expect((await list(`${q}&thread_identifier=thread-q`)).results).toHaveLength(5);
    expect(
      (await list(`${q}&start_time=2026-11-20T12:10:00Z&end_time=2026-11-20T12:12:00Z`)).results.map(
        (log) => log.unique_id,
      ),
    ).toEqual(["q-12", "q-11", "q-10"]);
    expect((await list(`${q}&search=NEEDLE`)).results.map((log) => log.unique_id)).toEqual(["q-07"]);
    expect((await fx.call("/api/request-logs/?start_time=yesterday")).status).toBe(400);
  });

  it("lists model calls only with model_calls=true, and refuses another value", async () => {
    await fx.call("/api/request-logs/batch/", {
      json: [
        { unique_id: "mc-chain", span_name: "chain", customer_identifier: "mc-user" },
        { unique_id: "mc-call", model: "gpt-4o-mini", customer_identifier: "mc-user" },
      ],
    });
    const list = async (query: string) =>
      (
        (await (await fx.call(`/api/request-logs/?customer_identifier=mc-user${query}`)).json()) as {
          results: { unique_id: string }[];
        }
      ).results.map((log) => log.unique_id);
    expect((await list("")).sort()).toEqual(["mc-call", "mc-chain"]);
    expect(await list("&model_calls=true")).toEqual(["mc-call"]);
    expect((await fx.call("/api/request-logs/?model_calls=yes")).status).toBe(400);
  });

  it("pages newest first with a cursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`log_source=langchain&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.results.map((log) => log.unique_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `q-${String(29 - i).padStart(2, "0")}`));
  });

  it("computes count, tokens, cost, error rate and latency percentiles, grouped", async () => {
    const metrics = async (query: string) =>
      (await (await fx.call(`/api/metrics/?log_source=langchain&${query}`)).json()) as {
        summary: {
          count: number;
          errors: number;
          error_rate: number;
          prompt_tokens: number;
          cost: number;
          latency: { p50: number; p95: number; p99: number };
        };
        groups: { key: string | number; count: number; cost: number }[];
      };
    const all = await metrics("group_by=none");
    expect(all.summary).toMatchObject({ count: 30, errors: 3, error_rate: 0.1, prompt_tokens: 30_000 });
    // Latencies are 0.1 … 3.0 s: p50 ≈ 1.5 s, p95 ≈ 2.9 s, within the histogram's ±2.5 %.
    expect(all.summary.latency.p50).toBeGreaterThan(1.5 * 0.975);
    expect(all.summary.latency.p50).toBeLessThan(1.5 * 1.025);
    expect(all.summary.latency.p95).toBeGreaterThan(2.9 * 0.975);
    expect(all.summary.latency.p95).toBeLessThan(2.9 * 1.025);
    const byModel = await metrics("group_by=model");
    expect(byModel.groups.map((group) => [group.key, group.count]).sort()).toEqual([
      ["claude-sonnet-4-5", 15],
      ["gpt-4o-mini", 15],
    ]);
    expect(byModel.groups.reduce((sum, group) => sum + group.cost, 0)).toBeCloseTo(all.summary.cost, 9);
    const byCustomer = await metrics("group_by=customer");
    expect(Object.fromEntries(byCustomer.groups.map((group) => [group.key, group.count]))).toEqual({
      "cust-q1": 10,
      "cust-q2": 20,
    });
    const byTime = await metrics("group_by=time&bucket=hour");
    expect(byTime.groups.map((group) => [new Date(group.key).toISOString(), group.count])).toEqual([
      ["2026-11-20T12:00:00.000Z", 30],
    ]);
    expect((await fx.call("/api/metrics/?group_by=colour")).status).toBe(400);
  });
});

describe("keyway serve: metrics from the per-minute rollup and from the logs agree", () => {
  it("gives the same numbers either way, for every grouping the rollup serves", async () => {
    const get = async (query: string) => (await (await fx.call(`/api/metrics/?${query}`)).json()) as unknown;
    for (const groupBy of [
      "none",
      "model",
      "provider",
      "log_source",
      "time&bucket=minute",
      "time&bucket=hour",
    ]) {
      // An unaligned start_time (1 ms after the epoch) makes the server read the logs themselves.
      expect(await get(`group_by=${groupBy}`), groupBy).toEqual(
        await get(`group_by=${groupBy}&start_time=1`),
      );
      expect(await get(`group_by=${groupBy}&log_source=langchain`), groupBy).toEqual(
        await get(`group_by=${groupBy}&log_source=langchain&start_time=1`),
      );
    }
  });

  it("rebuilds the rollup from stored logs when an older database is opened", async () => {
    const { DatabaseSync } = await import("node:sqlite");
    const { SqliteLogStore } = await import("../src/store/sqlite-log-store.js");
    const before = await fx.server.store.metrics({}, "model");
    const copy = `${fx.dbPath}.copy`;
    const source = new DatabaseSync(fx.dbPath);
    source.exec(`VACUUM INTO '${copy}'`);
    source.close();
    const old = new DatabaseSync(copy);
    old.exec(
      "DROP TABLE metrics_rollup; DROP TABLE metrics_rollup_hour; DROP TABLE metrics_rollup_customer_day; DROP TABLE traces; DROP TABLE rollup_watermark; PRAGMA user_version = 2;",
    );
    old.close();
    const reopened = new SqliteLogStore(copy);
    try {
      expect(await reopened.metrics({}, "model")).toEqual(before);
    } finally {
      await reopened.close();
    }
  });
});

describe("keyway serve: gateway", () => {
  it("serves embeddings at /v1/embeddings and /api/embeddings, logged into the store", async () => {
    for (const base of ["/v1", "/api"]) {
      const client = new OpenAI({ apiKey: API_KEY, baseURL: `${fx.server.url}${base}`, maxRetries: 0 });
      const answer = await client.embeddings.create({
        model: "text-embedding-3-small",
        input: `embed ${base}`,
      });
      expect(answer.data[0]?.embedding).toHaveLength(8);
    }
    const logs = (await (await fx.call("/api/request-logs/?search=embed")).json()) as {
      results: Record<string, unknown>[];
    };
    expect(logs.results.filter((log) => log.log_type === "embedding")).toHaveLength(2);
  });

  it("serves OpenAI-compatible chat with the official SDK, logging straight into the store", async () => {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${fx.server.url}/api`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "through the server" }],
      // @ts-expect-error Respan body extension
      customer_identifier: "gw-cust",
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: through the server");
    const v1 = new OpenAI({ apiKey: API_KEY, baseURL: `${fx.server.url}/v1`, maxRetries: 0 });
    const stream = await v1.chat.completions.create({
      model: "claude-sonnet-4-5",
      stream: true,
      messages: [{ role: "user", content: "stream via server" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: stream via server");
    const logs = (await (await fx.call("/api/request-logs/?log_source=gateway")).json()) as {
      results: Record<string, unknown>[];
    };
    const chats = logs.results.filter((log) => log.log_type === "chat");
    expect(chats.map((log) => [log.model, log.stream])).toEqual([
      ["claude-sonnet-4-5", true],
      ["groq/llama-3.1-8b-instant", false],
    ]);
    expect(chats[1]).toMatchObject({
      customer_params: { customer_identifier: "gw-cust" },
      provider_id: "groq",
    });
    const keys = (await (await fx.call("/api/gateway/keys")).json()) as {
      keys: { provider: string; keyId: string; requests: number }[];
    };
    expect(keys.keys.find((key) => key.provider === "groq")).toMatchObject({ requests: 1 });
    expect(JSON.stringify(keys)).not.toContain("gsk-server-pool");
  });
});
