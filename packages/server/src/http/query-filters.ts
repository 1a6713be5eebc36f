import type { LogFilters, MetricsGroup } from "../store/log-store.js";
import { HttpError } from "./http-error.js";

function time(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  const asNumber = Number(value);
  const ms = Number.isFinite(asNumber) ? asNumber : Date.parse(value);
  if (Number.isNaN(ms))
    throw new HttpError(400, "invalid_query", `${name} must be an ISO 8601 time or epoch milliseconds`, name);
  return ms;
}

/** The filters of `GET /api/request-logs/` and `GET /api/metrics/`, from the query string. */
export function readFilters(query: URLSearchParams): LogFilters {
  const filters: LogFilters = {};
  const from = time(query.get("start_time"), "start_time");
  const to = time(query.get("end_time"), "end_time");
  if (from !== undefined) filters.from = from;
  if (to !== undefined) filters.to = to;
  const text: [keyof LogFilters, string][] = [
    ["customer", "customer_identifier"],
    ["model", "model"],
    ["provider", "provider_id"],
    ["status", "status"],
    ["thread", "thread_identifier"],
    ["trace", "trace_unique_id"],
    ["logSource", "log_source"],
    ["search", "search"],
  ];
  for (const [key, name] of text) {
    const value = query.get(name);
    if (value !== null && value !== "") (filters as Record<string, string>)[key] = value;
  }
  const modelCalls = query.get("model_calls");
  if (modelCalls !== null && modelCalls !== "") {
    if (modelCalls !== "true" && modelCalls !== "false")
      throw new HttpError(400, "invalid_query", "model_calls must be true or false", "model_calls");
    if (modelCalls === "true") filters.modelCalls = true;
  }
  if (filters.status && !["error", "success"].includes(filters.status) && !/^\d{3}$/.test(filters.status)) {
    throw new HttpError(400, "invalid_query", "status must be error, success or a 3-digit code", "status");
  }
  return filters;
}

const buckets: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const groups: MetricsGroup[] = ["model", "provider", "customer", "log_source", "time", "none"];

export function readGrouping(query: URLSearchParams): { groupBy: MetricsGroup; bucketMs: number } {
  const groupBy = (query.get("group_by") ?? "none") as MetricsGroup;
  if (!groups.includes(groupBy))
    throw new HttpError(400, "invalid_query", `group_by must be one of ${groups.join(", ")}`, "group_by");
  const bucket = query.get("bucket") ?? "hour";
  const bucketMs = buckets[bucket] ?? Number(bucket);
  if (!Number.isFinite(bucketMs) || bucketMs <= 0)
    throw new HttpError(400, "invalid_query", "bucket must be minute, hour, day or milliseconds", "bucket");
  return { groupBy, bucketMs };
}

/** `limit`: a whole number from 1 to `max` (default `fallback` when absent). */
export function readLimit(query: URLSearchParams, fallback: number, max: number): number {
  const text = query.get("limit");
  if (text === null || text === "") return fallback;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new HttpError(400, "invalid_query", `limit must be a whole number from 1 to ${max}`, "limit");
  return limit;
}

/** A path segment, percent-decoded; a malformed escape is the client's mistake (400), not a server fault. */
export function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "invalid_path", `${name} holds a malformed percent escape`, name);
  }
}
