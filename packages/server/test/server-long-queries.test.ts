import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestLog } from "@keyway/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywayServer, startKeywayServer } from "../src/keyway-server.js";

const KEY = "kw_long";
let server: KeywayServer;
let slow: KeywayServer;

/** Enough text that a search scanning it takes a while: 30,000 logs × ~4,000 characters. */
async function fill(target: KeywayServer): Promise<void> {
  const filler = "lorem ipsum dolor sit amet ".repeat(150);
  for (let batch = 0; batch < 30; batch++) {
    const logs: RequestLog[] = Array.from({ length: 1_000 }, (_, i) => ({
      unique_id: `fill-${batch}-${i}`,
      model: "gpt-4o-mini",
      timestamp: new Date(Date.UTC(2026, 10, 1) + batch * 1_000 + i).toISOString(),
      prompt_messages: [{ role: "user", content: `${filler} ${batch}-${i}` }],
      customer_params: { customer_identifier: `c-${i % 500}` },
    }));
    await target.store.insert(logs);
  }
}

const get = (target: KeywayServer, path: string) =>
  fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "keyway-long-"));
  server = await startKeywayServer({ port: 0, dbPath: join(dir, "logs.db"), apiKeys: [KEY] });
  slow = await startKeywayServer({
    port: 0,
    dbPath: join(dir, "slow.db"),
    apiKeys: [KEY],
    queryTimeoutMs: 1,
  });
  await fill(server);
  await fill(slow);
}, 60_000);
afterAll(async () => {
  await server.close();
  await slow.close();
});

describe("keyway serve: long queries", () => {
  it("keeps /healthz and ingest answering while a scan over every log runs", async () => {
    const order: string[] = [];
    const search = get(server, "/api/request-logs/?search=no-such-text-anywhere&limit=10").then(
      async (response) => {
        order.push("search");
        return response;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 20)); // the scan is under way
    const health = get(server, "/healthz").then((response) => {
      order.push("healthz");
      return response;
    });
    const ingest = fetch(`${server.url}/api/request-logs/create/`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ unique_id: "during-scan", model: "gpt-4o-mini" }),
    }).then((response) => {
      order.push("ingest");
      return response;
    });
    const [searched, healthy, ingested] = await Promise.all([search, health, ingest]);
    expect(searched.status).toBe(200);
    expect(((await searched.json()) as { results: unknown[] }).results).toEqual([]);
    expect(healthy.status).toBe(200);
    expect(ingested.status).toBe(201);
    expect(order.indexOf("healthz")).toBeLessThan(order.indexOf("search"));
    expect(order.indexOf("ingest")).toBeLessThan(order.indexOf("search"));
  });

  it("stops a query past its time limit with a 503, and serves the next one", async () => {
    const response = await get(slow, "/api/metrics/?group_by=customer&search=lorem");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "query_timeout" });
    expect((await get(slow, "/healthz")).status).toBe(200);
    expect((await get(slow, "/api/request-logs/fill-0-1")).status).toBe(200);
  });
});
