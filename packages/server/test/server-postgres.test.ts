import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort, startPostgres, type TestPostgres } from "@keyway/testing";
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
});
