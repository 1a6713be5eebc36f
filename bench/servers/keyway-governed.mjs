// The core gateway with Respan's controls configured, on memory or Redis state:
// node servers/keyway-governed.mjs <upstreamOrigin> <logEndpoint> <plain|governed> [redisUrl]
// "governed": a budget and rate limits (per customer and per API key) far above what the run spends, so every call
// pays for the checks and counts and none is refused.
import { createServer } from "node:http";
import { createGateway, HttpLogSink, serveGateway } from "@keyway/core";

const [upstream, logEndpoint, mode, redis] = process.argv.slice(2);
const huge = 1_000_000_000;
const gateway = createGateway({
  providers: { groq: { baseURL: `${upstream}/openai/v1`, apiKey: "gsk-bench" } },
  sink: new HttpLogSink({ baseURL: logEndpoint, spoolDir: false }),
  env: {},
  ...(redis ? { redis } : {}),
  ...(mode === "governed"
    ? {
        budgets: {
          "bench-customer": { budget_duration: "monthly", period_budget: huge, total_budget: huge },
        },
        rateLimits: {
          perCustomer: { requestsPerMinute: huge, tokensPerMinute: huge },
          perApiKey: { requestsPerMinute: huge, tokensPerMinute: huge },
        },
      }
    : {}),
});
const server = createServer(async (req, res) => {
  if (!(await serveGateway({ gateway, req, res }))) res.writeHead(404).end();
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () =>
  console.log(`READY http://127.0.0.1:${server.address().port}/v1/chat/completions`),
);
process.on("SIGINT", () => process.exit(0));
