import type { Gateway } from "@keyway/core";
import { errorBody } from "../http/respond.js";
import { answerQuery } from "../routes/query-api.js";
import type { LogStore } from "../store/log-store.js";

/** One answer of Keyway's read API: the status and the JSON body, as `GET /api/…` gives them. */
export interface QueryAnswer {
  status: number;
  body: unknown;
}

/**
 * Where the MCP tools read from: a `keyway serve` over HTTP (`keyway mcp`), or this process's own store and
 * gateway (`POST /mcp`). Both answer in the read API's shapes, so the tools are written once.
 */
export type QuerySource = (path: string, query?: URLSearchParams) => Promise<QueryAnswer>;

/** The read API of a server at `baseUrl`, with a `read`-scoped key. */
export function httpQuerySource(baseUrl: string, apiKey: string): QuerySource {
  const base = baseUrl.replace(/\/+$/, "");
  return async (path, query) => {
    const url = `${base}${path}${query && query.size > 0 ? `?${query}` : ""}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${apiKey}`, accept: "application/json" },
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const reason =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : "";
      return {
        status: 503,
        body: {
          code: "unreachable",
          detail: `Keyway at ${base} did not answer (${reason || "no reason given"}).`,
        },
      };
    }
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      return {
        status: response.ok ? 502 : response.status,
        body: {
          code: "bad_response",
          detail: `Keyway at ${base} answered ${path} with something other than JSON.`,
        },
      };
    }
  };
}

/** This server's own read API, for a caller already authenticated with the `read` scope. */
export function localQuerySource(store: LogStore, gateway: () => Gateway): QuerySource {
  return async (path, query) => {
    const url = new URL(path, "http://keyway.local");
    if (query) url.search = query.toString();
    try {
      return (
        (await answerQuery(url, store, gateway())) ?? {
          status: 404,
          body: { code: "not_found", detail: `No route GET ${path}.` },
        }
      );
    } catch (error) {
      return errorBody(error);
    }
  };
}
