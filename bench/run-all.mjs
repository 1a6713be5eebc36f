// `pnpm bench`: every benchmark, one after the other, on this machine; writes bench/RESULTS.md (and results.json).
import { writeFileSync } from "node:fs";
import os from "node:os";
import { startPostgres } from "@keyway/testing";
import { cloudAuth } from "./cloud-auth.mjs";
import { gatewayControls } from "./gateway-controls.mjs";
import { gatewayOverhead } from "./gateway-overhead.mjs";
import { langchainOverhead } from "./langchain-overhead.mjs";
import { logHotPath } from "./log-hot-path.mjs";
import { metricsOverhead } from "./metrics-overhead.mjs";
import { middlewareOverhead } from "./middleware-overhead.mjs";
import { otelExporter } from "./otel-exporter.mjs";
import { render, writeResults } from "./render-results.mjs";
import { serverIngest } from "./server-ingest.mjs";
import { sinkDelivery } from "./sink-delivery.mjs";
import { sseParse } from "./sse-parse.mjs";

const fill = Number(process.env.BENCH_FILL ?? 1_000_000);
// Issue 28 asks the RSS to stay flat over five minutes after warm-up.
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
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
await run("metrics", () => metricsOverhead());
await run("controls", () => gatewayControls());
await run("clouds", () => cloudAuth());
await run("logHotPath", () => logHotPath());
await run("sinkDelivery", () => sinkDelivery());
await run("server", () => serverIngest({ fill, soakSeconds }));
// The same on Postgres (Debian's, default durability, a throwaway cluster): no soak, the SQLite run has it.
await run("serverPostgres", async () => {
  const postgres = await startPostgres({ durable: true });
  try {
    return await serverIngest({ fill, soakSeconds: 0, db: postgres.url });
  } finally {
    await postgres.stop();
  }
});
await run("middleware", () => middlewareOverhead());
await run("langchain", () => langchainOverhead());
await run("otel", () => otelExporter());
await run("sseParse", () => sseParse());

writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const rendered = render(results, { fill, soakSeconds });
writeResults(rendered);
// The targets, each with its figure and whether it was met, as RESULTS.md has them.
console.log(
  rendered.slice(
    rendered.indexOf("## Targets"),
    rendered.indexOf("\n## ", rendered.indexOf("## Targets") + 1),
  ),
);
console.log("wrote bench/RESULTS.md");
