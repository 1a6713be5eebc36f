import type { IncomingMessage, ServerResponse } from "node:http";
import { readJsonBody } from "@keyway/core";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { sendJson } from "../http/respond.js";
import { createKeywayMcpServer } from "./keyway-mcp-server.js";
import type { QuerySource } from "./query-source.js";

/**
 * `POST /mcp`: MCP's streamable HTTP, stateless (a server and transport per request, answered as JSON), so any
 * instance behind a load balancer answers any request and nothing is kept between them. The caller was
 * authenticated with the `read` scope before this runs.
 */
export async function answerMcp(
  req: IncomingMessage,
  res: ServerResponse,
  source: QuerySource,
): Promise<void> {
  if (req.method !== "POST") {
    // Stateless: there is no session stream to open (GET) or end (DELETE).
    sendJson(
      res,
      405,
      { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: POST only." }, id: null },
      { allow: "POST" },
    );
    return;
  }
  const body = await readJsonBody(req, 1024 * 1024);
  const server = createKeywayMcpServer(source);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}
