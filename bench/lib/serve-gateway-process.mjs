// A bench server process's gateway on node:http — the Node path the Express/Koa doors and keyway serve use, no
// Request/Response conversion — printing the READY line `startChild` waits for.
import { createServer } from "node:http";
import { serveGateway } from "@keyway/core";

export function serveGatewayProcess(gateway) {
  const server = createServer(async (req, res) => {
    if (!(await serveGateway({ gateway, req, res }))) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () =>
    console.log(`READY http://127.0.0.1:${server.address().port}/v1/chat/completions`),
  );
  process.on("SIGINT", () => process.exit(0));
}
