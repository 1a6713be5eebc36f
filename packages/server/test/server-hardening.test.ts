import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestLog } from "@keyway/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeywayServer } from "../src/keyway-server.js";
import { SqliteLogStore } from "../src/store/sqlite-log-store.js";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

const log = (id: string, extra: Record<string, unknown> = {}) => ({
  unique_id: id,
  model: "gpt-4o-mini",
  prompt_messages: [{ role: "user", content: `question ${id}` }],
  completion_message: { role: "assistant", content: `answer ${id}` },
  prompt_tokens: 10,
  completion_tokens: 5,
  ...extra,
});

const errorOf = async (response: Response) => (await response.json()) as { code: string; field?: string };

describe("keyway serve: data that would poison the store", () => {
  it("refuses token counts, costs and durations past sane bounds with a 400 naming the field", async () => {
    for (const [field, value] of [
      ["prompt_tokens", Number.MAX_SAFE_INTEGER],
      ["completion_tokens", 1e11],
      ["cost", 1e12],
      ["latency", 1e9],
    ] as const) {
      const response = await fx.call("/api/request-logs/create/", {
        json: log(`bound-${field}`, { [field]: value }),
      });
      expect(response.status, field).toBe(400);
      expect((await errorOf(response)).field).toBe(field);
    }
  });

  it("keeps rollups readable past 2^53 and lets one failing write fail alone", async () => {
    const store = new SqliteLogStore(join(mkdtempSync(join(tmpdir(), "keyway-overflow-")), "logs.db"));
    try {
      const at = "2026-11-20T10:00:30Z";
      const huge = (id: string): RequestLog => ({
        unique_id: id,
        model: "m-huge",
        timestamp: at,
        prompt_tokens: Number.MAX_SAFE_INTEGER - 10,
      });
      await store.insert([huge("h-1")]);
      await store.insert([huge("h-2")]); // the cell would sum past 2^53
      const all = await store.metrics({}, "model");
      expect(all.groups.find((group) => group.key === "m-huge")?.prompt_tokens).toBe(Number.MAX_SAFE_INTEGER);
      expect(all.summary.count).toBe(2);
      // One write whose row cannot be stored fails alone; the other writes of the same transaction land.
      const results = await Promise.allSettled([
        store.insert([{ unique_id: "ok-1", model: "m-ok", timestamp: at }]),
        store.insert([{ unique_id: "bad", model: "m-ok", timestamp: at, prompt_tokens: 2n ** 70n } as never]),
        store.insert([huge("h-3"), { unique_id: "ok-2", model: "m-ok", timestamp: at }]),
      ]);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(await store.get("ok-1")).toBeDefined();
      expect(await store.get("ok-2")).toBeDefined();
      expect(await store.get("bad")).toBeUndefined();
      expect((await store.metrics({}, "model")).groups.find((group) => group.key === "m-ok")?.count).toBe(2);
    } finally {
      await store.close();
    }
  });

  it("bounds a stored log's size and a list page's size", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyway-big-"));
    const server = await startKeywayServer({
      port: 0,
      dbPath: join(dir, "logs.db"),
      apiKeys: ["kw_big"],
      maxLogChars: 100_000,
    });
    try {
      const post = (body: unknown) =>
        fetch(`${server.url}/api/request-logs/create/`, {
          method: "POST",
          headers: { authorization: "Bearer kw_big", "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const numbers = Array.from({ length: 200_000 }, (_, i) => i);
      const messages = Array.from({ length: 40_000 }, (_, i) => ({ role: "user", content: `m${i}` }));
      expect((await post(log("numbers", { metadata: { numbers } }))).status).toBe(201);
      expect((await post(log("messages", { prompt_messages: messages }))).status).toBe(201);
      for (const id of ["numbers", "messages"]) {
        const response = await fetch(`${server.url}/api/request-logs/${id}`, {
          headers: { authorization: "Bearer kw_big" },
        });
        const text = await response.text();
        expect(text.length, id).toBeLessThanOrEqual(100_000);
        const stored = JSON.parse(text) as Record<string, unknown>;
        expect(stored).toMatchObject({ unique_id: id, truncated: true, model: "gpt-4o-mini" });
      }
      const stored = JSON.parse(
        await (
          await fetch(`${server.url}/api/request-logs/messages`, {
            headers: { authorization: "Bearer kw_big" },
          })
        ).text(),
      ) as RequestLog;
      expect(String(stored.prompt_messages?.[0]?.content)).toContain("[truncated: prompt_messages was");
      // A page stops early past its character budget, and says where to go on.
      const page = await server.store.list({}, { limit: 500, maxChars: 1_000 });
      expect(page.logs).toHaveLength(1);
      expect(page.nextCursor).toBeDefined();
    } finally {
      await server.close();
    }
  });

  it("refuses ids that are not well-formed Unicode instead of merging them", async () => {
    for (const id of ["x\ud800", "x\udbff"]) {
      const response = await fx.call("/api/request-logs/create/", { json: log(id) });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).field).toBe("unique_id");
    }
    const customer = await fx.call("/api/request-logs/create/", {
      json: log("lone-customer", { customer_identifier: "c\udc00" }),
    });
    expect(customer.status).toBe(400);
  });

  it("answers every malformed input with a typed 400, never a 500", async () => {
    const cases: [string, RequestInit & { json?: unknown }][] = [
      ["/api/request-logs/?limit=1.5", {}],
      ["/api/request-logs/?limit=0", {}],
      ["/api/request-logs/?limit=abc", {}],
      ["/api/request-logs/%E0%A4%A", {}],
      ["/api/request-logs/%", {}],
    ];
    for (const [path, init] of cases) {
      const response = await fx.call(path, init);
      expect(response.status, path).toBe(400);
      expect((await errorOf(response)).code, path).toMatch(/^invalid_/);
    }
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    for (const path of ["/api/request-logs/create/", "/api/request-logs/batch/", "/v1/chat/completions"]) {
      const response = await fx.call(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"unique_id":"deep","metadata":{"x":${deep}}}`,
      });
      expect(response.status, path).toBe(400);
      expect((await response.json()) as Record<string, unknown>).toMatchObject(
        path.includes("chat") ? { error: { code: "json_too_deep" } } : { code: "json_too_deep" },
      );
    }
    expect((await fx.call("/healthz")).status).toBe(200);
  });
});

describe("closing while a browser holds connections", () => {
  it("closes within seconds although a client holds an open connection it has sent nothing on", async () => {
    // What Chromium does: it opens spare connections ahead of need; Node counts them neither idle nor busy.
    const held = await serverFixture();
    const socket = connect(held.server.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const started = Date.now();
    await held.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    socket.destroy();
  }, 15_000);
});
