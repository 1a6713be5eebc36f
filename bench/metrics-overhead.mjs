// What Prometheus metrics cost keyway serve: two servers (SQLite, logging on), metrics on and off, the same
// upstream, in alternating blocks of concurrent requests (A B B A …) so drift on shared cores hits both alike.
// Reported: CPU µs per request of each server's own process, the median over blocks, and the ratio.
import { startChild } from "./lib/child-server.mjs";
import { cpuBlocks } from "./lib/cpu-blocks.mjs";
import { post } from "./lib/http-client.mjs";

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
  const body = { model: "groq/llama-3.1-8b-instant", messages: [{ role: "user", content: "hello there" }] };
  try {
    return await cpuBlocks(
      { on, off },
      (server) => post(server.url, body, { authorization: "Bearer sk-bench" }),
      // Both warmed up alike, and longer than the default: after 500 calls the first blocks still varied by 100 µs.
      { blocks, perBlock, concurrency, warmup: 3_000 },
    );
  } finally {
    for (const server of [on, off, upstream]) server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await metricsOverhead(), null, 2));
