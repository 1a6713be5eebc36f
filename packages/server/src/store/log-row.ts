import type { RequestLog } from "@keyway/core";
import { bucketOf } from "./histogram.js";
import { takeJson } from "./log-json.js";

const SEARCH_CHARS = 4_000;

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(textOf).join(" ");
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if ("content" in record) return textOf(record.content);
    if (typeof record.text === "string") return record.text;
  }
  return "";
}

/** The indexed columns of a stored log, derived from the log itself. */
export function toRow(log: RequestLog): Record<string, string | number | null> {
  const ts = Date.parse(log.timestamp ?? "");
  const search = `${textOf(log.prompt_messages ?? log.input)} ${textOf(log.completion_message ?? log.output)}`
    .slice(0, SEARCH_CHARS)
    .toLowerCase();
  const statusCode = log.status_code ?? 200;
  return {
    unique_id: log.unique_id,
    ts: Number.isNaN(ts) ? Date.now() : ts,
    model: log.model ?? null,
    provider_id: log.provider_id ?? null,
    customer_identifier: log.customer_params?.customer_identifier ?? null,
    status_code: statusCode,
    is_error: log.status === "error" || statusCode >= 400 ? 1 : 0,
    thread_identifier: log.thread_identifier ?? null,
    trace_unique_id: log.trace_unique_id ?? null,
    log_source: log.log_source ?? null,
    log_type: log.log_type ?? null,
    prompt_tokens: log.prompt_tokens ?? null,
    completion_tokens: log.completion_tokens ?? null,
    total_tokens: log.total_tokens ?? null,
    cost: log.cost ?? null,
    latency: log.latency ?? null,
    ttft: log.time_to_first_token ?? null,
    latency_bucket: bucketOf(log.latency),
    ttft_bucket: bucketOf(log.time_to_first_token),
    search_text: search,
    body: takeJson(log),
  };
}
