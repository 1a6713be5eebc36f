// The core gateway with Respan's controls configured, on memory or Redis state:
// node servers/keyway-governed.mjs <upstreamOrigin> <logEndpoint> <plain|governed> [redisUrl]
// "governed": a budget and rate limits (per customer and per API key) far above what the run spends, so every call
// pays for the checks and counts and none is refused.
import { createGateway, HttpLogSink } from "@keyway/core";
import { serveGatewayProcess } from "../lib/serve-gateway-process.mjs";

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
serveGatewayProcess(gateway);
