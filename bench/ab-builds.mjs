// Before/after for one change: keyway serve's gateway (SQLite, logging on, defaults) from two checkouts — a
// baseline (a `git worktree` of the commit before, installed and built) and this one — beside the same upstream,
// in alternating blocks of concurrent requests (A B B A …, half of them streamed) so drift on the shared cores
// hits both alike. Reported: CPU µs per request of each server's own process, the median over blocks, and the
// ratio after / before. `node ab-builds.mjs <baseline checkout> [blocks] [perBlock]`
import { startChild } from "./lib/child-server.mjs";
import { cpuBlocks } from "./lib/cpu-blocks.mjs";
import { post } from "./lib/http-client.mjs";

export async function abBuilds({ baseline, latencyMs = 5, blocks = 8, perBlock = 3_000, concurrency = 32 }) {
  const here = new URL(".", import.meta.url).pathname;
  const upstream = await startChild(`${here}servers/emulator.mjs`, [String(latencyMs)]);
  const after = await startChild(`${here}servers/keyway-serve-gateway.mjs`, [upstream.url]);
  const before = await startChild(`${baseline}/bench/servers/keyway-serve-gateway.mjs`, [upstream.url]);
  let sent = 0;
  const call = (server) =>
    post(
      server.url,
      {
        model: "groq/llama-3.1-8b-instant",
        messages: [{ role: "user", content: "hello there" }],
        stream: sent++ % 2 === 1,
      },
      { authorization: "Bearer sk-bench" },
    );
  try {
    return await cpuBlocks({ after, before }, call, { blocks, perBlock, concurrency, warmup: 3_000 });
  } finally {
    for (const server of [before, after, upstream]) server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseline, blocks, perBlock] = process.argv.slice(2);
  if (!baseline) throw new Error("usage: node ab-builds.mjs <baseline checkout> [blocks] [perBlock]");
  const result = await abBuilds({
    baseline,
    blocks: Number(blocks ?? 8),
    perBlock: Number(perBlock ?? 3_000),
  });
  console.log(JSON.stringify(result, null, 2));
}
