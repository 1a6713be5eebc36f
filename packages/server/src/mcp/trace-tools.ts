import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { TraceDetail } from "../store/log-store.js";
import type { TraceSummary } from "../store/trace-summary.js";
import { filterParams, logFilterShape, pageShape } from "./log-tools.js";
import type { QuerySource } from "./query-source.js";
import { renderSpanTree, spanTree } from "./span-tree.js";
import { answer, guarded, readApi } from "./tool-result.js";

function traceRow(trace: TraceSummary): Record<string, unknown> {
  return {
    ...trace,
    start_time: new Date(trace.start_ms).toISOString(),
    duration_ms: trace.end_ms - trace.start_ms,
  };
}

export function registerTraceTools(server: McpServer, source: QuerySource): void {
  server.registerTool(
    "list_traces",
    {
      title: "List traces",
      description:
        "Traces, newest first (by their first span's start): root span name, span and model-call counts, " +
        "duration, tokens, cost, errors and customer. get_trace shows one as a span tree.",
      inputSchema: {
        customer: logFilterShape.customer,
        start_time: logFilterShape.start_time,
        end_time: logFilterShape.end_time,
        ...pageShape,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const query = filterParams(args);
        const page = (await readApi(source, "/api/traces/", query)) as {
          results: TraceSummary[];
          next_cursor: string | null;
        };
        return answer({ traces: page.results.map(traceRow), next_cursor: page.next_cursor });
      }),
  );

  server.registerTool(
    "get_trace",
    {
      title: "Get a trace as a span tree",
      description:
        "One trace as an indented span tree: each span's offset from the trace's start, duration, model, " +
        "tokens, cost, status, error and log id (get_log reads a span's prompt and completion).",
      inputSchema: { trace_id: z.string().min(1).describe("the trace_unique_id") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const detail = (await readApi(
          source,
          `/api/traces/${encodeURIComponent(args.trace_id)}/`,
        )) as TraceDetail;
        const spans = spanTree(detail);
        return answer({ trace: traceRow(detail.trace), spans }, renderSpanTree(detail, spans));
      }),
  );
}
