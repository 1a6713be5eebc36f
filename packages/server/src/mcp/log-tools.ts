import type { RequestLog } from "@keyway/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { fitLog, sliceField } from "./cut-text.js";
import { logDigest } from "./log-digest.js";
import type { QuerySource } from "./query-source.js";
import { answer, guarded, params, readApi, ToolFailure } from "./tool-result.js";

const time = z.string().describe("ISO 8601 time (2026-12-04T10:42:00Z) or epoch milliseconds");

/** The filters `search_logs` and `get_metrics` share, named as the read API names them. */
export const logFilterShape = {
  customer: z.string().optional().describe("customer_identifier, exactly"),
  model: z.string().optional().describe("model, exactly (gpt-4o-mini, claude-sonnet-4-5, …)"),
  provider: z.string().optional().describe("provider_id, exactly (openai, anthropic, groq, …)"),
  status: z
    .string()
    .regex(/^(error|success|\d{3})$/)
    .optional()
    .describe("error, success or an exact HTTP status code (500)"),
  start_time: time.optional().describe("only logs at or after this time"),
  end_time: time.optional().describe("only logs before this time"),
  text: z.string().optional().describe("substring of the prompt or completion text"),
  trace_id: z.string().optional().describe("trace_unique_id: only the spans of this trace"),
};

/** A page of a list: its size and where it starts. */
export const pageShape = {
  limit: z.number().int().min(1).max(100).default(20).describe("results per page (1–100)"),
  cursor: z.string().optional().describe("next_cursor of the previous page"),
};

export function filterParams(args: {
  limit?: number | undefined;
  cursor?: string | undefined;
  customer?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  status?: string | undefined;
  start_time?: string | undefined;
  end_time?: string | undefined;
  text?: string | undefined;
  trace_id?: string | undefined;
}): URLSearchParams {
  return params({
    customer_identifier: args.customer,
    model: args.model,
    provider_id: args.provider,
    status: args.status,
    start_time: args.start_time,
    end_time: args.end_time,
    search: args.text,
    trace_unique_id: args.trace_id,
    limit: args.limit,
    cursor: args.cursor,
  });
}

export function registerLogTools(server: McpServer, source: QuerySource): void {
  server.registerTool(
    "search_logs",
    {
      title: "Search request logs",
      description:
        "Request logs, newest first, filtered by customer, model, provider, status, time window, text or trace. " +
        "Each result is a digest (figures and the last prompt and the completion, cut at 300 characters); " +
        "get_log reads one log whole.",
      inputSchema: {
        ...logFilterShape,
        ...pageShape,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const query = filterParams(args);
        const page = (await readApi(source, "/api/request-logs/", query)) as {
          results: RequestLog[];
          next_cursor: string | null;
        };
        return answer({ logs: page.results.map(logDigest), next_cursor: page.next_cursor });
      }),
  );

  server.registerTool(
    "get_log",
    {
      title: "Get one request log",
      description:
        "One log by unique_id: every field, with strings cut (and marked with the call that reads on) when the " +
        "log is larger than max_chars. With field (a dotted path such as prompt_messages.0.content), one slice " +
        "of that field's text from offset.",
      inputSchema: {
        unique_id: z.string().min(1).describe("the log's unique_id"),
        field: z.string().optional().describe("dotted path of one field to read (prompt_messages.0.content)"),
        offset: z.number().int().min(0).default(0).describe("where the slice of field starts"),
        max_chars: z.number().int().min(1_000).max(200_000).default(20_000).describe("size of the answer"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const log = (await readApi(
          source,
          `/api/request-logs/${encodeURIComponent(args.unique_id)}/`,
        )) as Record<string, unknown>;
        if (args.field !== undefined) {
          const slice = sliceField(log, args.unique_id, args.field, args.offset, args.max_chars);
          if (!slice) throw new ToolFailure(400, "invalid_field", `The log has no field ${args.field}.`);
          return answer(slice);
        }
        const fitted = fitLog(log, args.max_chars, args.unique_id);
        return answer({ log: fitted.log, cut: fitted.cut });
      }),
  );
}
