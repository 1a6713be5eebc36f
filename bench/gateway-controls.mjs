// What Respan's gateway controls cost (issue 18): the added latency of the budget + rate-limit checks (and their
// counting) over the same gateway without them, with in-process and with Redis state, and a cache hit's latency
// against a call that goes upstream. Upstream: the emulator with a fixed latency in its own process; Redis: a
// throwaway Debian redis-server on loopback. Sequential requests alternate between targets in rounds; p50 is the
// median of round medians.
import { startRedis } from "@keyway/testing";
import { alternatingRounds } from "./lib/alternating-rounds.mjs";
import { startChild } from "./lib/child-server.mjs";
import { post } from "./lib/http-client.mjs";
import { round } from "./lib/stats.mjs";

export async function gatewayControls({ latencyMs = 5, rounds = 7, perRound = 40 } = {}) {
  const here = new URL(".", import.meta.url).pathname;
  const redis = await startRedis();
  const upstream = await startChild(`${here}servers/emulator.mjs`, [String(latencyMs)]);
  const logs = await startChild(`${here}servers/log-capture.mjs`);
  const server = (mode, state) =>
    startChild(`${here}servers/keyway-governed.mjs`, [
      upstream.url,
      logs.url,
      mode,
      ...(state ? [state] : []),
    ]);
  const plain = await server("plain");
  const memory = await server("governed");
  const shared = await server("governed", redis.url);
  try {
    const ask = (extra) => ({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hello there" }],
      customer_identifier: "bench-customer",
      ...extra,
    });
    const targets = [
      { name: "plain", url: plain.url, body: ask() },
      { name: "governed-memory", url: memory.url, body: ask() },
      { name: "governed-redis", url: shared.url, body: ask() },
      { name: "cache-hit-memory", url: plain.url, body: ask({ cache_enabled: true }) },
      { name: "cache-hit-redis", url: shared.url, body: ask({ cache_enabled: true }) },
    ];
    const measured = await alternatingRounds(
      targets,
      async (target) => {
        const { status, ms } = await post(target.url, target.body, { authorization: "Bearer kw-bench-team" });
        return { status, value: ms };
      },
      { rounds, perRound },
    );
    const p50 = Object.fromEntries(targets.map((t) => [t.name, measured[t.name].p50]));
    return {
      latencyMs,
      p50: Object.fromEntries(Object.entries(p50).map(([name, ms]) => [name, round(ms, 3)])),
      p99: Object.fromEntries(targets.map((t) => [t.name, round(measured[t.name].p99, 3)])),
      addedMemoryMs: round(p50["governed-memory"] - p50.plain, 3),
      addedRedisMs: round(p50["governed-redis"] - p50.plain, 3),
    };
  } finally {
    for (const child of [plain, memory, shared, upstream, logs]) child.stop();
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await gatewayControls(), null, 2));
