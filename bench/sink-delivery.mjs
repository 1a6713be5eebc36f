// End-to-end delivery throughput of HttpLogSink into keyway serve (another process, SQLite): from the first log()
// to flush() resolving with every log stored.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpLogSink } from "@keyway/core";
import { startChild } from "./lib/child-server.mjs";
import { sampleLog } from "./lib/sample-log.mjs";
import { round } from "./lib/stats.mjs";

export async function sinkDelivery({ total = 100_000 } = {}) {
  const server = await startChild(new URL("./servers/keyway-serve.mjs", import.meta.url).pathname);
  const sink = new HttpLogSink({
    baseURL: server.url,
    apiKey: "kw_bench",
    spoolDir: mkdtempSync(join(tmpdir(), "keyway-bench-spool-")),
    maxQueueSize: total,
    maxBatchSize: 500,
  });
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    sink.log(sampleLog(i, "delivery"));
    if (i % 5_000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await sink.flush();
  // flush() also counts logs parked in the spool (past the memory bound); wait until the server holds every one.
  const count = async () =>
    (
      await (
        await fetch(`${server.url}/api/metrics/?log_source=bench`, {
          headers: { authorization: "Bearer kw_bench" },
        })
      ).json()
    ).summary.count;
  let stored = await count();
  while (stored < total && performance.now() - started < 300_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    stored = await count();
  }
  const seconds = (performance.now() - started) / 1000;
  await sink.shutdown();
  server.stop();
  return {
    total,
    seconds: round(seconds, 2),
    logsPerSecond: Math.round(total / seconds),
    stored,
    counters: sink.counters,
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await sinkDelivery(), null, 2));
