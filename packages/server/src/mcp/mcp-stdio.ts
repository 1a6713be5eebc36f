import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createKeywayMcpServer } from "./keyway-mcp-server.js";
import { httpQuerySource } from "./query-source.js";

/** `keyway mcp`: the tools over stdio, reading a Keyway server's read API with a `read`-scoped key. */
export async function runMcpStdio(options: { url: string; apiKey: string }): Promise<void> {
  const server = createKeywayMcpServer(httpQuerySource(options.url, options.apiKey));
  await server.connect(new StdioServerTransport());
}
