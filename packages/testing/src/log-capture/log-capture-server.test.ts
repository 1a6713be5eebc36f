import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LogCapture, startLogCapture } from "./log-capture-server.js";

let capture: LogCapture;
beforeAll(async () => {
  capture = await startLogCapture({ apiKey: "kw_test" });
});
afterAll(() => capture.close());
beforeEach(() => capture.reset());

const post = (path: string, body: unknown, key = "kw_test") =>
  fetch(`${capture.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

describe("log-capture endpoint", () => {
  it("records single logs, {logs:[…]} batches and arrays", async () => {
    expect((await post("/api/request-logs/create/", { model: "a" })).status).toBe(200);
    expect((await post("/api/request-logs/create/", { logs: [{ model: "b" }, { model: "c" }] })).status).toBe(
      200,
    );
    expect((await post("/api/traces/ingest/", [{ model: "d" }])).status).toBe(200);
    expect(capture.logs.map((log) => log.model)).toEqual(["a", "b", "c", "d"]);
    expect(capture.posts.map((p) => p.logs.length)).toEqual([1, 2, 1]);
  });

  it("refuses a wrong key and unknown routes", async () => {
    expect((await post("/api/request-logs/create/", { model: "a" }, "nope")).status).toBe(401);
    expect((await post("/elsewhere", { model: "a" })).status).toBe(404);
    expect(capture.logs).toEqual([]);
  });

  it("fails on command with Retry-After, then recovers", async () => {
    capture.fail({ status: 429, retryAfter: 2, times: 1 });
    capture.fail({ status: 500, times: 1 });
    const limited = await post("/api/request-logs/create/", { model: "a" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(await limited.json()).toEqual({ detail: "Rate limit exceeded", retry_after: 2 });
    expect((await post("/api/request-logs/create/", { model: "a" })).status).toBe(500);
    expect((await post("/api/request-logs/create/", { model: "a" })).status).toBe(200);
    expect(capture.logs.length).toBe(1);
  });

  it("goes away and comes back on the same port", async () => {
    await capture.pause();
    await expect(post("/api/request-logs/create/", { model: "a" })).rejects.toThrow();
    await capture.resume();
    expect((await post("/api/request-logs/create/", { model: "a" })).status).toBe(200);
  });
});
