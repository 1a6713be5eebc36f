// The cost of HttpLogSink.log() on the caller's path: 1,000,000 calls, timed in blocks of 1,000, median per call.
// The endpoint is a log-capture server in another process; the sink ships in the background meanwhile.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpLogSink } from "@keyway/core";
import { startChild } from "./lib/child-server.mjs";
import { sampleLog } from "./lib/sample-log.mjs";
import { median, percentile, round } from "./lib/stats.mjs";

export async function logHotPath({ calls = 1_000_000, block = 1_000 } = {}) {
  const capture = await startChild(new URL("./servers/log-capture.mjs", import.meta.url).pathname);
  const sink = new HttpLogSink({
    baseURL: capture.url,
    spoolDir: mkdtempSync(join(tmpdir(), "keyway-bench-spool-")),
    maxQueueSize: 20_000,
  });
  const logs = Array.from({ length: block }, (_, i) => sampleLog(i, "hot"));
  const perCall = [];
  for (let done = 0; done < calls; done += block) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < block; i++) sink.log(logs[i]);
    perCall.push(Number(process.hrtime.bigint() - started) / block / 1000);
    if (done % 50_000 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the sink work, as a real app would
  }
  await sink.shutdown();
  capture.stop();
  return {
    calls,
    medianMicros: round(median(perCall), 3),
    p99Micros: round(percentile(perCall, 0.99), 3),
    counters: sink.counters,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await logHotPath(), null, 2));
