import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort, startPostgres, type TestPostgres } from "@keyway/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const KEY = "kw_pg";
const auth = { authorization: `Bearer ${KEY}` };
const children: ChildProcess[] = [];
let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 30_000);
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});
afterAll(() => postgres?.stop());

/** Runs the built `keyway serve --db <url>`: resolves with its URL and startup line, or with how it exited. */
function serve(
  db: string,
): Promise<
  | { kind: "listening"; child: ChildProcess; url: string; line: string }
  | { kind: "exited"; code: number | null; output: string; ms: number }
> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build first (pnpm test does)`);
  const started = Date.now();
  const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--db", db, "--api-key", KEY], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve) => {
    let output = "";
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve({ kind: "listening", child, url: match[1] as string, line: output.trim() });
    });
    child.stderr?.on("data", (data: Buffer) => {
      output += data.toString();
    });
    child.on("exit", (code) => resolve({ kind: "exited", code, output, ms: Date.now() - started }));
  });
}

const post = (url: string, logs: unknown[]) =>
  fetch(`${url}/api/request-logs/batch/`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(logs),
  });
const log = (id: string, source: string) => ({
  unique_id: id,
  model: "gpt-4o-mini",
  log_source: source,
  prompt_tokens: 3,
  completion_tokens: 2,
  customer_params: { customer_identifier: "two-instances" },
});
async function storedIds(url: string, source: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = (await (
      await fetch(
        `${url}/api/request-logs/?log_source=${source}&limit=500${cursor ? `&cursor=${cursor}` : ""}`,
        {
          headers: auth,
        },
      )
    ).json()) as { results: { unique_id: string }[]; next_cursor: string | null };
    for (const entry of page.results) ids.add(entry.unique_id);
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

describe("keyway serve on Postgres", () => {
  it("exits non-zero within seconds, in one line with the password masked, on a wrong password or an unreachable host", async () => {
    const wrong = postgres.url.replace(postgres.password, "not-the-password");
    const refused = await serve(wrong);
    expect(refused.kind).toBe("exited");
    if (refused.kind !== "exited") return;
    expect(refused.code).not.toBe(0);
    expect(refused.ms).toBeLessThan(5_000);
    expect(refused.output.trim().split("\n")).toHaveLength(1);
    expect(refused.output).toContain("postgres://keyway:***@127.0.0.1");
    expect(refused.output).toContain("password authentication failed");
    expect(refused.output).not.toContain("not-the-password");

    const nobody = `postgres://keyway:${postgres.password}@127.0.0.1:${await freePort()}/keyway`;
    const unreachable = await serve(nobody);
    expect(unreachable.kind).toBe("exited");
    if (unreachable.kind !== "exited") return;
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.ms).toBeLessThan(8_000);
    expect(unreachable.output.trim().split("\n")).toHaveLength(1);
    expect(unreachable.output).not.toContain(postgres.password);
  });

  it("two instances on one database: logs posted to either are listed and counted by both, each stored once", async () => {
    const db = await postgres.createDatabase("two_instances");
    const [a, b] = await Promise.all([serve(db), serve(db)]);
    if (a?.kind !== "listening" || b?.kind !== "listening") throw new Error("keyway serve did not start");
    expect(a.line).toMatch(
      /\(db postgres:\/\/keyway:\*\*\*@127\.0\.0\.1:\d+\/two_instances, 1 API key\(s\)\)$/,
    );
    expect(a.line).not.toContain(postgres.password);
    const first = Array.from({ length: 150 }, (_, i) => log(`both-${i}`, "both"));
    // 0–99 to a, 50–149 to b: the 50 in the middle reach both instances, at once.
    const [toA, toB] = await Promise.all([post(a.url, first.slice(0, 100)), post(b.url, first.slice(50))]);
    const insertedByA = ((await toA.json()) as { inserted: number }).inserted;
    const insertedByB = ((await toB.json()) as { inserted: number }).inserted;
    expect(insertedByA + insertedByB).toBe(150);
    for (const server of [a, b]) {
      expect((await storedIds(server.url, "both")).size).toBe(150);
      const metrics = (await (
        await fetch(`${server.url}/api/metrics/?group_by=customer&log_source=both`, { headers: auth })
      ).json()) as {
        summary: { count: number; prompt_tokens: number };
        groups: { key: string; count: number }[];
      };
      expect(metrics.summary).toMatchObject({ count: 150, prompt_tokens: 450 });
      expect(metrics.groups).toEqual([expect.objectContaining({ key: "two-instances", count: 150 })]);
      // From the rollups both instances (and each one's writers, in their own shards) added to.
      const byModel = (await (
        await fetch(`${server.url}/api/metrics/?group_by=model`, { headers: auth })
      ).json()) as {
        groups: { key: string; count: number; prompt_tokens: number }[];
      };
      expect(byModel.groups).toEqual([
        expect.objectContaining({ key: "gpt-4o-mini", count: 150, prompt_tokens: 450 }),
      ]);
    }
  });

  it("loses no acknowledged log when one instance is killed (kill -9) mid-ingest", async () => {
    const db = await postgres.createDatabase("kill_nine");
    const [a, b] = await Promise.all([serve(db), serve(db)]);
    if (a?.kind !== "listening" || b?.kind !== "listening") throw new Error("keyway serve did not start");
    const acknowledged: string[] = [];
    let sent = 0;
    const sender = async () => {
      while (sent < 20_000) {
        const batch = Array.from({ length: 50 }, () => log(`kill-${sent++}`, "kill"));
        const response = await post(a.url, batch).catch(() => undefined);
        if (!response) return; // the instance is gone
        if (response.status === 200) acknowledged.push(...batch.map((entry) => entry.unique_id));
      }
    };
    const senders = Promise.all([sender(), sender(), sender(), sender()]);
    while (acknowledged.length < 1_000) await new Promise((resolve) => setTimeout(resolve, 5));
    a.child.kill("SIGKILL");
    await senders;
    const stored = await storedIds(b.url, "kill");
    expect(acknowledged.length).toBeGreaterThanOrEqual(1_000);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // b goes on taking logs.
    expect((await post(b.url, [log("after-kill", "kill")])).status).toBe(200);
  });

  it("survives the database crashing under load: 503 store_unavailable while it is down, then recovers by itself", async () => {
    const cluster = await startPostgres();
    try {
      const server = await serve(cluster.url);
      if (server.kind !== "listening") throw new Error("keyway serve did not start");
      let stderr = "";
      server.child.stderr?.on("data", (data: Buffer) => {
        stderr += data.toString();
      });
      for (let round = 0; round < 3; round++) {
        // Transactions in flight when the database dies: their connections are cut while checked out.
        let sending = true;
        let sent = 0;
        const statuses = new Set<number>();
        const sender = async () => {
          while (sending) {
            const batch = Array.from({ length: 20 }, () => log(`crash-${round}-${sent++}`, "crash"));
            const response = await post(server.url, batch);
            statuses.add(response.status);
            await response.arrayBuffer();
          }
        };
        const senders = Promise.all([sender(), sender(), sender(), sender()]);
        await new Promise((resolve) => setTimeout(resolve, 150));
        await cluster.crash();
        await new Promise((resolve) => setTimeout(resolve, 300));
        sending = false;
        await senders;
        expect(
          [...statuses].every((status) => status === 200 || status === 503),
          [...statuses].join(),
        ).toBe(true);

        const down = await post(server.url, [log(`down-${round}`, "crash")]);
        expect(down.status).toBe(503);
        expect(((await down.json()) as { code: string }).code).toBe("store_unavailable");
        const listed = await fetch(`${server.url}/api/request-logs/?log_source=crash`, { headers: auth });
        expect(listed.status).toBe(503);
        expect(((await listed.json()) as { code: string }).code).toBe("store_unavailable");
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

        await cluster.start();
        let back = 0;
        for (const started = Date.now(); back !== 200 && Date.now() - started < 20_000; ) {
          back = (await post(server.url, [log(`back-${round}`, "crash")])).status;
          if (back !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(back).toBe(200);
        expect((await storedIds(server.url, "crash")).has(`back-${round}`)).toBe(true);
      }
      expect(server.child.exitCode).toBe(null);
      expect(stderr).not.toMatch(/Unhandled|uncaught/i);
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it("stores NUL in customer, model, provider, source, trace id and span name, and isolates a row Postgres refuses", async () => {
    const db = await postgres.createDatabase("nul_rows");
    const server = await serve(db);
    if (server.kind !== "listening") throw new Error("keyway serve did not start");
    const nul = (text: string) => `${text}\u0000x`;
    const logs = Array.from({ length: 100 }, (_, i) => ({
      ...log(`nul-${i}`, nul("nul-source")),
      model: nul("gpt-4o-mini"),
      provider_id: nul("openai"),
      customer_params: { customer_identifier: nul("nul-customer") },
      trace_unique_id: nul(`trace-${i % 5}`),
      span_name: nul("span"),
      span_unique_id: `span-${i}`,
    }));
    const response = await post(server.url, logs);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { inserted: number }).inserted).toBe(100);
    const listed = (await (
      await fetch(
        `${server.url}/api/request-logs/?customer_identifier=${encodeURIComponent(nul("nul-customer"))}&limit=500`,
        {
          headers: auth,
        },
      )
    ).json()) as { results: unknown[] };
    expect(listed.results).toHaveLength(100);

    // A row the database itself refuses (here a constraint the test adds) fails only itself, not its batch.
    const admin = new pg.Client({ connectionString: db });
    await admin.connect();
    await admin.query("ALTER TABLE logs ADD CONSTRAINT no_poison CHECK (customer_identifier <> 'poison')");
    await admin.end();
    const mixed = Array.from({ length: 10 }, (_, i) => ({
      ...log(`mixed-${i}`, "mixed"),
      customer_params: { customer_identifier: i === 3 ? "poison" : "fine" },
    }));
    const partly = await post(server.url, mixed);
    expect(partly.status).toBe(200);
    const result = (await partly.json()) as {
      inserted: number;
      rejected: { index: number; unique_id: string }[];
    };
    expect(result.inserted).toBe(9);
    expect(result.rejected.map((entry) => [entry.index, entry.unique_id])).toEqual([[3, "mixed-3"]]);
    expect((await storedIds(server.url, "mixed")).size).toBe(9);
    const alone = await fetch(`${server.url}/api/request-logs/create/`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ ...log("alone", "mixed"), customer_params: { customer_identifier: "poison" } }),
    });
    expect(alone.status).toBe(422);
    expect(((await alone.json()) as { code: string }).code).toBe("log_not_storable");
  });
});
