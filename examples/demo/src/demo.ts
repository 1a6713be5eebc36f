#!/usr/bin/env node
import { parseArgs } from "node:util";
import { DEMO_API_KEY, runDemo } from "./demo-run.js";
import { formatMetricsTable, type MetricsGroupRow } from "./summary-table.js";

/**
 * `pnpm demo`: the whole suite, offline. Starts `keyway serve` (SQLite in a temp dir) and the provider emulator,
 * runs every door's example for a few customers (streamed and not, one forced error, one fallback), then prints
 * the summary the server computes from what it stored, and serves the dashboard until Ctrl-C (`--once` exits).
 */
const { values } = parseArgs({
  options: { once: { type: "boolean", default: false }, port: { type: "string", default: "8787" } },
});
const API_KEY = DEMO_API_KEY;
const step = (text: string) => console.log(`\n▸ ${text}`);

const demo = await runDemo({ port: Number(values.port), log: (line) => console.log(line) });
const { server } = demo;

const metrics = async (groupBy: string) => {
  const response = await fetch(`${server.url}/api/metrics/?group_by=${groupBy}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  return (await response.json()) as { summary: MetricsGroupRow; groups: MetricsGroupRow[] };
};
const byDoor = await metrics("log_source");
const byCustomer = await metrics("customer");
step("summary, as keyway serve computes it from the stored logs (GET /api/metrics/)");
console.log(`\n${formatMetricsTable("door", [...byDoor.groups, { ...byDoor.summary, key: "all" }])}`);
console.log(`\n${formatMetricsTable("customer", byCustomer.groups)}`);
console.log(`\nDashboard: ${server.url}/  (API key: ${API_KEY})`);

if (values.once) {
  await demo.close();
} else {
  console.log("Serving until Ctrl-C.");
  const stop = () => {
    void (async () => {
      await demo.close();
      process.exit(0);
    })();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
