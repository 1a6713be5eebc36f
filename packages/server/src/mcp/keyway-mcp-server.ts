import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerLogTools } from "./log-tools.js";
import type { QuerySource } from "./query-source.js";
import { registerTraceTools } from "./trace-tools.js";
import { registerUsageTools } from "./usage-tools.js";

/** The MCP server over Keyway's read API: read-only tools, nothing in it changes data or calls a model. */
export function createKeywayMcpServer(source: QuerySource, version = "0.1.0"): McpServer {
  const server = new McpServer(
    { name: "keyway", version },
    {
      instructions:
        "Keyway's logs of an app's LLM calls: search_logs, get_log, list_traces, get_trace, get_metrics, " +
        "customer_spend, key_health. Long texts are cut with a marker naming the get_log call that reads on.",
    },
  );
  registerLogTools(server, source);
  registerTraceTools(server, source);
  registerUsageTools(server, source);
  return server;
}
