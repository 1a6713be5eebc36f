// Two servers measured in alternating blocks of concurrent requests (A B B A …), so drift on shared cores hits
// both alike: CPU µs per request of each server's own process in every block, and the median over blocks.
import { runConcurrent } from "./http-client.mjs";
import { cpuMicros } from "./process-cpu.mjs";
import { median, round } from "./stats.mjs";

/** `servers`: two named children (`startChild`); `call(server)` sends one request. */
export async function cpuBlocks(
  servers,
  call,
  { blocks = 8, perBlock = 3_000, concurrency = 32, warmup = 500 } = {},
) {
  const names = Object.keys(servers);
  for (const name of names) await runConcurrent(warmup, concurrency, () => call(servers[name]));
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  for (let block = 0; block < blocks; block++) {
    const order = block % 4 === 0 || block % 4 === 3 ? names : [...names].reverse();
    for (const name of order) {
      const server = servers[name];
      const start = cpuMicros(server.child.pid);
      const { results } = await runConcurrent(perBlock, concurrency, () => call(server));
      const failed = results.filter((result) => result.status !== 200).length;
      if (failed > 0) throw new Error(`${name}: ${failed} requests failed`);
      cpu[name].push((cpuMicros(server.child.pid) - start) / perBlock);
    }
  }
  const [first, second] = names;
  const cpuPerRequestUs = Object.fromEntries(names.map((name) => [name, round(median(cpu[name]), 0)]));
  return {
    concurrency,
    perBlock,
    blocks,
    cpuPerRequestUs,
    blocksUs: Object.fromEntries(names.map((name) => [name, cpu[name].map((value) => round(value, 0))])),
    ratio: round(cpuPerRequestUs[first] / cpuPerRequestUs[second], 3),
  };
}
