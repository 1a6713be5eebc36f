// The same gateway mounted in an Express app with @keyway/express (keyway() + keywayGateway at /llm):
// node servers/express-gateway.mjs <upstreamOrigin> <logEndpoint>
import { createGateway, HttpLogSink } from "@keyway/core";
import { keyway, keywayErrorHandler, keywayGateway } from "@keyway/express";
import express from "express";

const [upstream, logEndpoint] = process.argv.slice(2);
const sink = new HttpLogSink({ baseURL: logEndpoint, spoolDir: false });
const gateway = createGateway({
  providers: { groq: { baseURL: `${upstream}/openai/v1`, apiKey: "gsk-bench" } },
  sink,
  env: {},
});
const app = express();
app.use(keyway({ gateway, customer: (req) => req.header("x-user") }));
app.use("/llm", keywayGateway({ gateway }), keywayErrorHandler());
const server = app.listen(0, "127.0.0.1", () =>
  console.log(`READY http://127.0.0.1:${server.address().port}/llm/chat/completions`),
);
server.keepAliveTimeout = 30_000;
