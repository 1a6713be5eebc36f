import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { QuerySource } from "./query-source.js";

/** A read API answer that was not a success, carried to the client as an MCP tool error with Keyway's code. */
export class ToolFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The body of a successful read; anything else becomes a ToolFailure. */
export async function readApi(source: QuerySource, path: string, query?: URLSearchParams): Promise<unknown> {
  const { status, body } = await source(path, query);
  if (status < 400) return body;
  const error = (body ?? {}) as { code?: string; detail?: string };
  throw new ToolFailure(status, error.code ?? "error", error.detail ?? `HTTP ${status}`);
}

/** A tool's answer: the text a model reads, and the same data structured when it is JSON. */
export function answer(data: unknown, text?: string): CallToolResult {
  return {
    content: [{ type: "text", text: text ?? JSON.stringify(data) }],
    structuredContent: data as Record<string, unknown>,
  };
}

/** Runs a tool body; a failure is a tool error (the session goes on), never a crash of the server. */
export async function guarded(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    const failure =
      error instanceof ToolFailure
        ? error
        : new ToolFailure(500, "internal_error", "The tool failed unexpectedly.");
    const body = { error: { status: failure.status, code: failure.code, detail: failure.message } };
    return {
      isError: true,
      content: [{ type: "text", text: `${failure.code} (${failure.status}): ${failure.message}` }],
      structuredContent: body,
    };
  }
}

/** Query parameters from the defined entries only. */
export function params(entries: Record<string, string | number | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(entries))
    if (value !== undefined && value !== "") query.set(key, String(value));
  return query;
}
