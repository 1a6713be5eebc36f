import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Spool } from "./spool.js";

describe("Spool", () => {
  it("moves on to a new file past maxFileBytes, and replay streams every file line by line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyway-spool-unit-"));
    const writer = new Spool(dir, { maxFileBytes: 4_096 });
    const lines = Array.from({ length: 1_000 }, (_, i) =>
      JSON.stringify({ unique_id: `log-${i}`, pad: "x".repeat(40) }),
    );
    for (let i = 0; i < lines.length; i += 50) await writer.append(lines.slice(i, i + 50));
    writer.appendSync(['{"unique_id":"sync-1"}']);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(10);

    const reader = new Spool(dir);
    const claimed = await reader.claim();
    expect(claimed).toHaveLength(files.length);
    const read: string[] = [];
    for (const file of claimed)
      for await (const line of reader.read(file)) read.push(JSON.parse(line).unique_id);
    expect(read.sort()).toEqual([...lines.map((line) => JSON.parse(line).unique_id), "sync-1"].sort());
    for (const file of claimed) await reader.remove(file);
    expect(readdirSync(dir)).toEqual([]);
  });
});
