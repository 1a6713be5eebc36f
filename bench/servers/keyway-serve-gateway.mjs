// keyway serve's own gateway (it logs straight into its store: SQLite, or Postgres when a URL is given), the
// provider pointed at the emulator: node servers/keyway-serve-gateway.mjs <upstreamOrigin> [no-metrics|metrics]
// [postgres://…] (no-metrics: the same server with Prometheus metrics off, to measure what they cost)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKeywayServer } from "@keyway/server";

const [upstream, mode, db] = process.argv.slice(2);
const server = await startKeywayServer({
  port: 0,
  dbPath: db ?? join(mkdtempSync(join(tmpdir(), "keyway-bench-gateway-")), "keyway.db"),
  apiKeys: ["sk-bench"],
  ...(mode === "no-metrics" ? { metrics: false } : {}),
  gateway: { providers: { groq: { baseURL: `${upstream}/openai/v1`, apiKey: "gsk-bench" } }, env: {} },
});
console.log(`READY ${server.url}/api/chat/completions`);
process.on("SIGINT", () => process.exit(0));
