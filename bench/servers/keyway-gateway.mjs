// The core gateway served by node:http, logging every call through HttpLogSink:
// node servers/keyway-gateway.mjs <upstreamOrigin> <logEndpoint>
import { createServer } from "node:http";
import { createGateway, HttpLogSink, serveGateway } from "@keyway/core";

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
// The Node path the Express/Koa doors and keyway serve use: no Request/Response conversion.
const server = createServer(async (req, res) => {
  if (!(await serveGateway({ gateway, req, res }))) res.writeHead(404).end();
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () =>
  console.log(`READY http://127.0.0.1:${server.address().port}/v1/chat/completions`),
);
process.on("SIGINT", () => process.exit(0));
