// `pnpm bench`: every benchmark, one after the other, on this machine; writes bench/RESULTS.md (and results.json).
import { writeFileSync } from "node:fs";
import os from "node:os";
import { gatewayOverhead } from "./gateway-overhead.mjs";
import { langchainOverhead } from "./langchain-overhead.mjs";
import { logHotPath } from "./log-hot-path.mjs";
import { middlewareOverhead } from "./middleware-overhead.mjs";
import { otelExporter } from "./otel-exporter.mjs";
import { serverIngest } from "./server-ingest.mjs";
import { sinkDelivery } from "./sink-delivery.mjs";

const fill = Number(process.env.BENCH_FILL ?? 1_000_000);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
const results = { date: new Date().toISOString(), machine };
const run = async (name, fn) => {
  console.log(`▸ ${name}`);
  const started = performance.now();
  results[name] = await fn();
  console.log(
    `  done in ${Math.round((performance.now() - started) / 1000)} s: ${JSON.stringify(results[name]).slice(0, 300)}`,
  );
};
await run("gateway", () => gatewayOverhead());
await run("logHotPath", () => logHotPath());
await run("sinkDelivery", () => sinkDelivery());
await run("server", () => serverIngest({ fill, soakSeconds }));
await run("middleware", () => middlewareOverhead());
await run("langchain", () => langchainOverhead());
await run("otel", () => otelExporter());

const g = results.gateway;
const ms = (value) => `${value} ms`;
const added = (table, name) =>
  table[name] && table.direct ? `+${(table[name].p50 - table.direct.p50).toFixed(2)} ms` : "–";
const lines = [
  "# Benchmark results",
  "",
  `Measured ${results.date} on ${machine}, with \`pnpm bench\` (\`node bench/run-all.mjs\` after the build; \`BENCH_FILL=${fill} BENCH_SOAK_SECONDS=${soakSeconds}\`).`,
  "Load generator, servers and upstream share the machine's cores, so absolute figures are noisy; the ratios within one run are what count.",
  "",
  "## Gateway overhead (`bench/gateway-overhead.mjs`)",
  "",
  `Upstream: the provider emulator with a fixed ${g.latencyMs} ms latency, in its own process. Each gateway in its own process: the floor`,
  "(a bare `node:http` proxy that parses and re-serialises the JSON), Keyway's core gateway on its Node path with logging on (every call",
  "builds its log and ships it through `HttpLogSink` to a log endpoint in another process), the same gateway mounted in an Express app",
  "(`keyway()` + `keywayGateway()`, target `keyway-express`), and Portkey's open-source gateway 1.15.2.",
  "Sequential: targets alternate request by request, 7 rounds × 40; p50 = median of round medians, p99 over all samples.",
  "",
  "| target | sequential p50 | p50 added vs direct | sequential p99 | stream TTFT p50 | TTFT added | c=32 p50 / p99 / req/s | c=64 p50 / p99 / req/s |",
  "|---|---|---|---|---|---|---|---|",
  ...g.targets.map(
    (name) =>
      `| ${name} | ${ms(g.sequential[name].p50)} | ${added(g.sequential, name)} | ${ms(g.sequential[name].p99)} | ${ms(g.stream[name].p50)} | ${added(g.stream, name)} | ${g.concurrent[32][name].p50} / ${g.concurrent[32][name].p99} ms / ${g.concurrent[32][name].rps} | ${g.concurrent[64][name].p50} / ${g.concurrent[64][name].p99} ms / ${g.concurrent[64][name].rps} |`,
  ),
  "",
  `Keyway vs floor, same run: sequential added latency ${((g.sequential.keyway.p50 - g.sequential.direct.p50) / Math.max(0.001, g.sequential.floor.p50 - g.sequential.direct.p50)).toFixed(2)}× the floor's, TTFT added ${((g.stream.keyway.p50 - g.stream.direct.p50) / Math.max(0.001, g.stream.floor.p50 - g.stream.direct.p50)).toFixed(2)}× the floor's, throughput at c=32 ${Math.round((100 * g.concurrent[32].keyway.rps) / g.concurrent[32].floor.rps)} % of the floor's.`,
  "",
  "## Logging",
  "",
  `- \`HttpLogSink.log()\` on the caller's path (\`bench/log-hot-path.mjs\`, ${results.logHotPath.calls.toLocaleString("en")} calls in blocks of 1,000): median ${results.logHotPath.medianMicros} µs per call, p99 of blocks ${results.logHotPath.p99Micros} µs. (Logging 1M logs as fast as a loop can is far beyond what any endpoint takes: ${results.logHotPath.counters.delivered.toLocaleString("en")} were delivered during the loop and ${results.logHotPath.counters.spooled.toLocaleString("en")} went to the spool, none dropped.)`,
  `- End-to-end delivery into \`keyway serve\` (\`bench/sink-delivery.mjs\`): ${results.sinkDelivery.total.toLocaleString("en")} logs stored in ${results.sinkDelivery.seconds} s = **${results.sinkDelivery.logsPerSecond.toLocaleString("en")} logs/s** (counters ${JSON.stringify(results.sinkDelivery.counters)}).`,
  "",
  "## keyway serve (`bench/server-ingest.mjs`)",
  "",
  `- Batched ingest (arrays of 100, 8 in flight): **${results.server.batchedLogsPerSecond.toLocaleString("en")} logs/s**; single-log requests (32 in flight): **${results.server.singleRequestsPerSecond.toLocaleString("en")} requests/s**; errors ${results.server.batchedErrors} / ${results.server.singleErrors}.`,
  `- Query latency with ${results.server.storedLogs.toLocaleString("en")} stored logs (median of 7; filled in ${results.server.fillSeconds} s):`,
  "",
  "| query | median |",
  "|---|---|",
  ...Object.entries(results.server.queries).map(([name, value]) => `| ${name} | ${value} ms |`),
  "",
  `- Soak: ${results.server.soak.seconds} s of batched ingest at ${results.server.soak.logsPerSecond.toLocaleString("en")} logs/s (${results.server.soak.logs.toLocaleString("en")} logs); server RSS every 5 s: ${results.server.soak.rssMiB.join(", ")} MiB.`,
  "",
  "## Doors",
  "",
  ...results.middleware.map((m) =>
    `- ${m} `.replace(
      "[object Object]",
      `${m.framework} middleware on a route with no LLM call (A/B over HTTP, median of 15 round medians): p50 ${m.p50Micros} µs without, ${m.p50WithKeywayMicros} µs with \`keyway()\`, **added ${m.addedMicros} µs**.`,
    ),
  ),
  `- LangChain handler (\`bench/langchain-overhead.mjs\`, prompt | FakeListChatModel | parser): p50 ${results.langchain.p50WithoutMicros} µs without, ${results.langchain.p50WithMicros} µs with \`KeywayCallbackHandler\`: **added ${results.langchain.addedMicros} µs per model call** (the handler logs the chain, prompt, model and parser runs).`,
  `- OTel exporter (\`bench/otel-exporter.mjs\`): **${results.otel.microsPerSpan} µs per GenAI span** (batches of ${results.otel.spansPerBatch}, mapping + cost + hand-off to the sink).`,
  "",
];
writeFileSync(new URL("./RESULTS.md", import.meta.url), `${lines.join("\n")}\n`);
writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log("wrote bench/RESULTS.md");
