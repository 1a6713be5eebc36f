import type { Gateway } from "@keyway/core";
import { decodeSegment, readFilters, readGrouping, readLimit } from "../http/query-filters.js";
import type { LogStore } from "../store/log-store.js";

/** The read API (logs, traces, metrics, the gateway's key health and usage): the answer, or undefined. */
export async function answerQuery(
  url: URL,
  store: LogStore,
  gateway: Gateway,
): Promise<{ status: number; body: unknown } | undefined> {
  const path = url.pathname;
  const query = url.searchParams;
  if (path === "/api/request-logs/" || path === "/api/request-logs") {
    const cursor = query.get("cursor") ?? undefined;
    const page = await store.list(readFilters(query), {
      limit: readLimit(query, 50, 500),
      ...(cursor ? { cursor } : {}),
    });
    return { status: 200, body: { results: page.logs, next_cursor: page.nextCursor ?? null } };
  }
  const one = /^\/api\/request-logs\/([^/]+)\/?$/.exec(path);
  if (one) {
    const log = await store.get(decodeSegment(one[1] as string, "unique_id"));
    return log
      ? { status: 200, body: log }
      : { status: 404, body: { detail: "No log with that unique_id.", code: "not_found" } };
  }
  if (path === "/api/traces/" || path === "/api/traces") {
    const { from, to, customer } = readFilters(query);
    const cursor = query.get("cursor") ?? undefined;
    const page = await store.traces(
      {
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(customer ? { customer } : {}),
      },
      { limit: readLimit(query, 50, 500), ...(cursor ? { cursor } : {}) },
    );
    return { status: 200, body: { results: page.traces, next_cursor: page.nextCursor ?? null } };
  }
  const trace = /^\/api\/traces\/([^/]+)\/?$/.exec(path);
  if (trace) {
    const detail = await store.trace(decodeSegment(trace[1] as string, "trace_unique_id"));
    return detail
      ? { status: 200, body: detail }
      : { status: 404, body: { detail: "No trace with that trace_unique_id.", code: "not_found" } };
  }
  if (path === "/api/metrics/" || path === "/api/metrics") {
    const { groupBy, bucketMs } = readGrouping(query);
    return {
      status: 200,
      body: { group_by: groupBy, ...(await store.metrics(readFilters(query), groupBy, bucketMs)) },
    };
  }
  if (path === "/api/gateway/keys/" || path === "/api/gateway/keys")
    return { status: 200, body: { keys: gateway.keyHealth() } };
  if (path === "/api/gateway/usage/" || path === "/api/gateway/usage")
    return { status: 200, body: await gateway.usage() };
  return undefined;
}
