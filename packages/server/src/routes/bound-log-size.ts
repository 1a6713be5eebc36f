import type { RequestLog } from "@keyway/core";

/** What identifies and summarises a log: never cut, whatever its size. */
const kept = new Set([
  "unique_id",
  "timestamp",
  "start_time",
  "model",
  "provider_id",
  "log_type",
  "log_source",
  "status",
  "status_code",
  "customer_params",
  "thread_identifier",
  "trace_unique_id",
  "span_unique_id",
  "span_parent_id",
  "span_name",
]);

function placeholder(key: string, value: unknown, marker: string): unknown {
  if (key === "prompt_messages") return [{ role: "system", content: marker }];
  if (key === "completion_message") return { role: "assistant", content: marker };
  return Array.isArray(value) ? [marker] : marker;
}

/**
 * A log whose serialized size fits `maxChars`: its largest fields (a 17 MiB number array, 400,000 messages…)
 * are replaced, largest first, by a marker saying what was cut, until it fits. Strings were cut already;
 * this bounds the whole, so one stored log can never make a list page huge.
 */
export function boundLogSize(log: RequestLog, json: string, maxChars: number): RequestLog {
  if (json.length <= maxChars) return log;
  const out: Record<string, unknown> = { ...log };
  const sizes = Object.entries(out)
    .filter(([key]) => !kept.has(key))
    .map(([key, value]) => [key, JSON.stringify(value)?.length ?? 0] as const)
    .sort((a, b) => b[1] - a[1]);
  let total = json.length;
  for (const [key, size] of sizes) {
    if (total <= maxChars) break;
    const marker = `[truncated: ${key} was ${size} characters; a stored log holds at most ${maxChars}]`;
    out[key] = placeholder(key, out[key], marker);
    total -= size - (JSON.stringify(out[key])?.length ?? 0);
  }
  out.truncated = true;
  return out as RequestLog;
}
