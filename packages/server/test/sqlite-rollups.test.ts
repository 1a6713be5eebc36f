import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SqliteLogStore } from "../src/store/sqlite-log-store.js";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** A child that stores logs with its rollups not yet written (flush an hour away), says so, and waits to be killed. */
const child = (dbPath: string) => `
  const { SqliteLogStore } = await import(${JSON.stringify(dist)});
  const store = new SqliteLogStore(${JSON.stringify(dbPath)}, { rollupFlushMs: 3_600_000 });
  const logs = Array.from({ length: 300 }, (_, i) => ({
    unique_id: "crash-" + i, timestamp: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
    model: i % 2 ? "gpt-4o-mini" : "claude-sonnet-4-5", customer_params: { customer_identifier: "c" + (i % 3) },
    status_code: 200, prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost: 0.001, latency: 0.25,
  }));
  const result = await store.insert(logs);
  console.log("STORED " + JSON.stringify(result));
  setInterval(() => {}, 1000);
`;

describe("SQLite rollups written behind the logs", () => {
  it("count again, on open, the logs a killed process stored but had not yet rolled up", async () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run the build first (pnpm test does)`);
    const dbPath = join(mkdtempSync(join(tmpdir(), "keyway-rollup-crash-")), "logs.db");
    const proc = spawn(process.execPath, ["--input-type=module", "-e", child(dbPath)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      proc.stdout.on("data", (data: Buffer) => {
        out += data.toString();
        if (out.includes("STORED")) resolve();
      });
      proc.once("exit", (code) => reject(new Error(`child exited ${code}: ${out}`)));
    });
    proc.kill("SIGKILL");
    await new Promise((resolve) => proc.once("exit", resolve));

    // The logs are there; the rollups never heard of them.
    const raw = new DatabaseSync(dbPath);
    const { seq } = raw.prepare("SELECT seq FROM rollup_watermark").get() as { seq: number };
    const { n, max } = raw.prepare("SELECT COUNT(*) AS n, MAX(seq) AS max FROM logs").get() as {
      n: number;
      max: number;
    };
    const { cells } = raw.prepare("SELECT COUNT(*) AS cells FROM metrics_rollup_hour").get() as {
      cells: number;
    };
    raw.close();
    expect({ n, behind: max > seq, cells }).toEqual({ n: 300, behind: true, cells: 0 });

    const store = new SqliteLogStore(dbPath);
    try {
      const byModel = await store.metrics({}, "model");
      expect(byModel.summary).toMatchObject({ count: 300, prompt_tokens: 3000 });
      expect(byModel.groups.map((group) => [group.key, group.count])).toEqual([
        ["claude-sonnet-4-5", 150],
        ["gpt-4o-mini", 150],
      ]);
      // The rollup's answer equals the logs' own (a status filter makes the store read the logs; all succeeded).
      expect(await store.metrics({}, "customer")).toEqual(
        await store.metrics({ status: "success" }, "customer"),
      );
      await store.close();
      const reopened = new SqliteLogStore(dbPath);
      expect((await reopened.metrics({}, "none")).summary.count).toBe(300);
      await reopened.close();
    } finally {
      await store.close();
    }
  });
});
