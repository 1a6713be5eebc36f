// What Prometheus metrics cost keyway serve: two servers (SQLite, logging on), metrics on and off, the same
// upstream, in alternating blocks of concurrent requests (A B B A …) so drift on shared cores hits both alike.
// Reported: CPU µs per request of each server's own process, the median over blocks, and the ratio.
import { startChild } from "./lib/child-server.mjs";
import { post, runConcurrent } from "./lib/http-client.mjs";
import { cpuMicros } from "./lib/process-cpu.mjs";
import { median, round } from "./lib/stats.mjs";

export async function metricsOverhead({
  latencyMs = 5,
  blocks = 8,
  perBlock = 3_000,
  concurrency = 32,
} = {}) {
  const here = new URL(".", import.meta.url).pathname;
  const upstream = await startChild(`${here}servers/emulator.mjs`, [String(latencyMs)]);
  const on = await startChild(`${here}servers/keyway-serve-gateway.mjs`, [upstream.url]);
  const off = await startChild(`${here}servers/keyway-serve-gateway.mjs`, [upstream.url, "no-metrics"]);
  const targets = { on, off };
  const body = { model: "groq/llama-3.1-8b-instant", messages: [{ role: "user", content: "hello there" }] };
  const call = (server) => post(server.url, body, { authorization: "Bearer sk-bench" });
  try {
    for (const server of [on, off]) await runConcurrent(500, concurrency, () => call(server));
    const cpu = { on: [], off: [] };
    for (let block = 0; block < blocks; block++) {
      const order = block % 4 === 0 || block % 4 === 3 ? ["on", "off"] : ["off", "on"];
      for (const name of order) {
        const server = targets[name];
        const before = cpuMicros(server.child.pid);
        const { results } = await runConcurrent(perBlock, concurrency, () => call(server));
        const failed = results.filter((result) => result.status !== 200).length;
        if (failed > 0) throw new Error(`${name}: ${failed} requests failed`);
        cpu[name].push((cpuMicros(server.child.pid) - before) / perBlock);
      }
    }
    const result = {
      concurrency,
      perBlock,
      blocks,
      cpuPerRequestUs: { on: round(median(cpu.on), 0), off: round(median(cpu.off), 0) },
      blocksUs: { on: cpu.on.map((v) => round(v, 0)), off: cpu.off.map((v) => round(v, 0)) },
    };
    result.ratio = round(result.cpuPerRequestUs.on / result.cpuPerRequestUs.off, 3);
    return result;
  } finally {
    for (const server of [on, off, upstream]) server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await metricsOverhead(), null, 2));
