import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, startRedis, type TestPostgres, type TestRedis } from "@keyway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerEvents } from "../src/events/server-events.js";
import { type KeywayServer, startKeywayServer } from "../src/keyway-server.js";

const KEY = "kw_ready";
let postgres: TestPostgres;
let redis: TestRedis;
const servers: KeywayServer[] = [];

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
}, 60_000);
afterAll(async () => {
  for (const server of servers) await server.close();
  await redis?.stop();
  await postgres?.stop();
});

async function readyz(server: KeywayServer): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls /readyz every 50 ms until it answers `status`; how long that took. */
async function until(server: KeywayServer, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await readyz(server)).status === status) return Date.now() - started;
    if (Date.now() - started > withinMs)
      throw new Error(`/readyz did not answer ${status} within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("GET /readyz", () => {
  it("is ready without a key on SQLite, and /healthz stays the liveness check", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyway-ready-"));
    const server = await startKeywayServer({ port: 0, dbPath: join(dir, "logs.db"), apiKeys: [KEY] });
    servers.push(server);
    expect(await readyz(server)).toEqual({
      status: 200,
      body: { ready: true, draining: false, checks: { store: "ok" } },
    });
  });

  it("goes not-ready within a second of Postgres stopping, ready again when it returns; Redis counts too", async () => {
    const lines: string[] = [];
    const server = await startKeywayServer({
      port: 0,
      dbPath: await postgres.createDatabase("readiness"),
      apiKeys: [KEY],
      gateway: { redis: redis.url },
      healthCheckMs: 100,
      events: new ServerEvents("json", (line) => lines.push(line)),
    });
    const events = () =>
      lines
        .map((line) => JSON.parse(line) as { event: string; level: string })
        .filter((entry) => entry.event !== "warning")
        .map((entry) => `${entry.level} ${entry.event}`);
    servers.push(server);
    expect(await readyz(server)).toEqual({
      status: 200,
      body: { ready: true, draining: false, checks: { store: "ok", redis: "ok" } },
    });

    await postgres.crash();
    expect(await until(server, 503, 1_000)).toBeLessThan(1_000);
    expect((await readyz(server)).body).toMatchObject({
      ready: false,
      checks: { store: "down", redis: "ok" },
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await postgres.start();
    await until(server, 200, 15_000);
    expect((await readyz(server)).body).toMatchObject({ ready: true, checks: { store: "ok", redis: "ok" } });

    await redis.stop();
    await until(server, 503, 3_000);
    expect((await readyz(server)).body).toMatchObject({
      ready: false,
      checks: { store: "ok", redis: "down" },
    });
    // The server's own log saw each loss and return, once, as one JSON line each (and no password).
    expect(events()).toEqual(["warn store_lost", "info store_regained", "warn redis_lost"]);
    expect(lines.join("\n")).not.toMatch(/postgres:\/\/[^:@\s]+:[^*@\s]+@/);
  }, 60_000);

  it("a draining instance answers not-ready while it still serves requests", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyway-drain-"));
    const server = await startKeywayServer({
      port: 0,
      dbPath: join(dir, "logs.db"),
      apiKeys: [KEY],
      drainMs: 600,
    });
    const closed = server.close();
    const drained = await readyz(server);
    expect(drained).toEqual({
      status: 503,
      body: { ready: false, draining: true, checks: { store: "ok" } },
    });
    const served = await fetch(`${server.url}/api/request-logs/`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(served.status).toBe(200);
    await closed;
  });
});
