/** Where a log was made. */
export type LogSource = "gateway" | "express" | "koa" | "langchain" | "ai-sdk" | "otel" | "server";

/** An OpenAI-style chat message, as logs carry them. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
  tool_call_id?: string;
  name?: string;
  [key: string]: unknown;
}

export interface CustomerParams {
  customer_identifier?: string;
  name?: string;
  email?: string;
  [key: string]: unknown;
}

/**
 * One request log, in the shape Keyway sends and stores. Field names are Respan's request-log API
 * (`POST /api/request-logs/create/`), so the same payload is accepted by Respan and by `keyway serve`. Times are
 * seconds; `timestamp`/`start_time` ISO 8601. `prompt_tokens` is the total input, cache reads and writes
 * included (they are reported again, separately, in `prompt_cache_hit_tokens` / `prompt_cache_creation_tokens`).
 * Unknown fields pass through.
 */
export interface RequestLog {
  /** Unique per log: a resend with the same id stores nothing new. */
  unique_id: string;
  log_type?: string;
  log_source?: LogSource | (string & {});
  log_method?: string;
  model?: string;
  provider_id?: string;
  prompt_messages?: ChatMessage[];
  completion_message?: ChatMessage | null;
  /** Content of non-chat spans (workflow, tool, task…), any JSON. */
  input?: unknown;
  output?: unknown;
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_cache_hit_tokens?: number;
  prompt_cache_creation_tokens?: number;
  reasoning_tokens?: number;
  /** USD. */
  cost?: number;
  prompt_unit_price?: number;
  completion_unit_price?: number;
  latency?: number;
  time_to_first_token?: number;
  tokens_per_second?: number;
  routing_time?: number;
  start_time?: string;
  timestamp?: string;
  stream?: boolean;
  status_code?: number;
  status?: "success" | "error";
  error_message?: string;
  warnings?: unknown;
  customer_params?: CustomerParams;
  metadata?: Record<string, unknown>;
  thread_identifier?: string;
  custom_identifier?: string;
  group_identifier?: string;
  environment?: string;
  trace_unique_id?: string;
  span_unique_id?: string;
  span_parent_id?: string;
  span_name?: string;
  span_workflow_name?: string;
  trace_name?: string;
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: unknown;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: unknown;
  disable_log?: boolean;
  /** Fingerprint of the provider key that served the call (never the key). */
  key_fingerprint?: string;
  /** Where that key came from: override, customer, pool or env. */
  credential_source?: string;
  /** Upstream attempts made, retries and fallbacks included. */
  attempts?: number;
  /** Models tried before the one that answered. */
  fallback_from?: string[];
  [key: string]: unknown;
}

/** Content fields, dropped by `disable_log`. */
export const contentFields = [
  "prompt_messages",
  "completion_message",
  "completion_messages",
  "input",
  "output",
  "full_request",
  "full_response",
  "tool_calls",
] as const;

/** A log as a caller hands it to a sink: without an id, the sink stamps one when it accepts the log. */
export type RequestLogDraft = Omit<RequestLog, "unique_id"> & { unique_id?: string | null };
