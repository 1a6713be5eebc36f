import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts the built `keyway serve` and resolves with its URL from the one line it logs. */
function serve(
  dbPath: string,
  extra: string[] = [],
): Promise<{ child: ChildProcess; url: string; line: string; output: () => string }> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run the build first (pnpm test does)`);
  const child = spawn(
    process.execPath,
    [cli, "serve", "--port", "0", "--db", dbPath, "--api-key", "kw_restart", ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) resolve({ child, url: match[1] as string, line: output.trim(), output: () => output });
    });
    child.stderr?.on("data", (data: Buffer) => {
      output += data.toString();
    });
    child.on("exit", (code) => reject(new Error(`keyway serve exited with ${code}: ${output}`)));
  });
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/request-logs/batch/`, {
    method: "POST",
    headers: { authorization: "Bearer kw_restart", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("keyway serve as a process", () => {
  it("keeps every acknowledged log through a kill -9 and a restart", async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), "keyway-restart-")), "logs.db");
    const first = await serve(dbPath);
    expect(first.line).toMatch(
      /^keyway serve listening on http:\/\/127\.0\.0\.1:\d+ \(db .*logs\.db, 1 API key\(s\)\)$/,
    );
    const logs = Array.from({ length: 200 }, (_, i) => ({
      unique_id: `r-${i}`,
      model: "gpt-4o-mini",
      prompt_tokens: 1,
      completion_tokens: 1,
    }));
    for (let i = 0; i < 200; i += 50) expect((await post(first.url, logs.slice(i, i + 50))).status).toBe(200);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await serve(dbPath);
    const metrics = (await (
      await fetch(`${second.url}/api/metrics/`, { headers: { authorization: "Bearer kw_restart" } })
    ).json()) as { summary: { count: number } };
    expect(metrics.summary.count).toBe(200);
    const again = (await (await post(second.url, logs.slice(0, 10))).json()) as {
      inserted: number;
      duplicates: number;
    };
    expect(again).toMatchObject({ inserted: 0, duplicates: 10 });
  });

  it("shuts down on SIGTERM with exit code 0, keeping what it acknowledged", async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), "keyway-term-")), "logs.db");
    const first = await serve(dbPath, ["--log-format", "json"]);
    const pending = post(first.url, [{ unique_id: "term-1", model: "m" }]);
    const response = await pending;
    first.child.kill("SIGTERM");
    // "close", not "exit": the child's output is read to its end before it is checked.
    const code = await new Promise((resolve) => first.child.once("close", resolve));
    expect(response.status).toBe(200);
    expect(code).toBe(0);
    // --log-format json: the start and the stop, one JSON object per line, and never the API key.
    const events = first
      .output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((event) => [event.level, event.event])).toEqual([
      ["info", "start"],
      ["info", "stop"],
    ]);
    expect(events[0]).toMatchObject({ url: first.url, api_keys: 1, alerts: 0 });
    expect(events[1]).toMatchObject({ signal: "SIGTERM", message: "keyway serve stopped (SIGTERM)" });
    expect(first.output()).not.toContain("kw_restart");
    const second = await serve(dbPath);
    expect(
      (
        await fetch(`${second.url}/api/request-logs/term-1`, {
          headers: { authorization: "Bearer kw_restart" },
        })
      ).status,
    ).toBe(200);
  });
});
