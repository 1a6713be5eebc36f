// The core gateway served by node:http, logging every call through HttpLogSink:
// node servers/keyway-gateway.mjs <upstreamOrigin> <logEndpoint>
import { createGateway, HttpLogSink } from "@keyway/core";
import { serveGatewayProcess } from "../lib/serve-gateway-process.mjs";

const [upstream, logEndpoint] = process.argv.slice(2);
const sink = new HttpLogSink({ baseURL: logEndpoint, spoolDir: false });
const gateway = createGateway({
  providers: {
    groq: { baseURL: `${upstream}/openai/v1`, apiKey: "gsk-bench" },
    openai: { baseURL: `${upstream}/openai/v1`, apiKey: "sk-bench" },
  },
  sink,
  env: {},
});
serveGatewayProcess(gateway);
