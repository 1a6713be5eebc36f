import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const demo = fileURLToPath(new URL("../dist/demo.js", import.meta.url));

describe("pnpm demo --once (the README's first command, as CI can run it)", () => {
  it("runs every door and prints the summary the server computed", () => {
    if (!existsSync(demo)) throw new Error(`${demo} is missing: run the build first (pnpm test does)`);
    const run = spawnSync(process.execPath, [demo, "--once", "--port", "0"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    for (const door of ["express", "koa", "langchain", "ai-sdk", "otel"])
      expect(out).toMatch(new RegExp(`^${door}\\s+\\d+`, "m"));
    expect(out).toMatch(/"delivered":36,"retried":0,"spooled":0,"rejected":0,"dropped":0/);
    const all = /^all\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)/m.exec(out);
    expect(all?.slice(1, 3)).toEqual(["36", "1"]);
    expect(Number(all?.[4])).toBeGreaterThan(0);
    expect(out).toContain("fell back to claude-sonnet-4-5");
    for (const customer of ["alice", "bob", "carol", "dave", "erin"])
      expect(out).toMatch(new RegExp(`^${customer}\\s+\\d+`, "m"));
    expect(out).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  });
});
