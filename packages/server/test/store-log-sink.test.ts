import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestLog } from "@keyway/core";
import { afterEach, describe, expect, it } from "vitest";
import { storeWriter } from "../src/metrics/server-metrics.js";
import { SqliteLogStore } from "../src/store/sqlite-log-store.js";
import { StoreLogSink } from "../src/store/store-log-sink.js";

const options = { maxStringChars: 200_000, maxLogChars: 2 * 1024 * 1024 };
const stores: SqliteLogStore[] = [];
const errors: unknown[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** A real SQLite store, each write it is handed counted (with its size). */
function counted() {
  const store = new SqliteLogStore(join(mkdtempSync(join(tmpdir(), "keyway-sink-")), "keyway.db"));
  stores.push(store);
  const writes: number[] = [];
  const writer = storeWriter({
    insert: (logs) => {
      writes.push(logs.length);
      return store.insert(logs);
    },
  });
  return { store, writes, sink: new StoreLogSink(writer, options, (error) => errors.push(error)) };
}
const log = (id: string, extra: Record<string, unknown> = {}) =>
  ({
    unique_id: id,
    model: "gpt-4o-mini",
    log_type: "chat",
    prompt_messages: [{ role: "user", content: `question ${id}` }],
    completion_message: { role: "assistant", content: "answer" },
    ...extra,
  }) as unknown as RequestLog;

describe("StoreLogSink: the gateway's logs written together", () => {
  it("logs of calls ending close together are one write; a full batch is written at once", async () => {
    const { store, writes, sink } = counted();
    for (let index = 0; index < 20; index++) sink.log(log(`a${index}`));
    await sink.flush();
    expect(writes).toEqual([20]);
    for (let index = 0; index < 600; index++) sink.log(log(`b${index}`));
    // 500 are written without waiting for the window; the rest when it ends (or on flush).
    expect(writes).toEqual([20, 500]);
    await sink.flush();
    expect(writes).toEqual([20, 500, 100]);
    expect((await store.list({}, { limit: 1000 })).logs).toHaveLength(620);
    expect(errors).toEqual([]);
  });

  it("writes after its window without a flush, each log stored as it would be alone (repaired, its JSON intact)", async () => {
    const { store, writes, sink } = counted();
    sink.log(log("c1", { temperature: 5_000, customer_params: { customer_identifier: 42 } }));
    sink.log(log("c2"));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toEqual([2]);
    const stored = await store.get("c1");
    expect(stored?.metadata).toEqual({ keyway_invalid_fields: { temperature: "5000" } });
    expect(stored?.customer_params?.customer_identifier).toBe("42");
    expect(stored?.prompt_messages).toEqual([{ role: "user", content: "question c1" }]);
    expect((await store.get("c2"))?.completion_message).toEqual({ role: "assistant", content: "answer" });
  });
});
