import { z } from "zod";

// Bounds far past any real call, far below where sums of many logs stop being exact doubles (2^53).
const MAX_TOKENS = 10_000_000_000;
const MAX_SECONDS = 10_000_000;
const MAX_USD = 1_000_000;
const count = z.number().int().nonnegative().max(MAX_TOKENS);
const seconds = z.number().nonnegative().max(MAX_SECONDS);
const usd = z.number().nonnegative().max(MAX_USD);
const text = z.string();
/** Identifiers are compared and indexed as text: lone UTF-16 surrogates would make distinct ids collide. */
const id = z
  .string()
  .refine((value) => value.isWellFormed(), "must be well-formed Unicode (no lone surrogates)");
/** An identity id as Respan's SDK schemas allow it: text, or a number stored as its text. */
const identityId = z
  .union([id.max(1_000), z.number().finite()])
  .transform((value) => (typeof value === "number" ? String(value) : value));

export const chatMessageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_calls: z.array(z.unknown()).nullish(),
  tool_call_id: z.string().nullish(),
  name: z.string().nullish(),
});

const usageSchema = z.looseObject({
  prompt_tokens: count.nullish(),
  completion_tokens: count.nullish(),
  total_tokens: count.nullish(),
  input_tokens: count.nullish(),
  output_tokens: count.nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: count.nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: count.nullish() }).nullish(),
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
  cache_creation_prompt_tokens: count.nullish(),
});

/**
 * Every field a log may arrive with, current and legacy names alike, with the type each must have.
 * Unknown fields pass through; `normalizeLog` turns this into the one `RequestLog` shape.
 */
export const requestLogInputSchema = z.looseObject({
  unique_id: id.min(1).max(200).nullish(),
  log_type: text.nullish(),
  log_source: text.nullish(),
  log_method: text.nullish(),
  model: text.nullish(),
  provider_id: text.nullish(),
  prompt_messages: z.array(chatMessageSchema).nullish(),
  completion_message: chatMessageSchema.nullish(),
  completion_messages: z.array(chatMessageSchema).nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  usage: usageSchema.nullish(),
  prompt_tokens: count.nullish(),
  completion_tokens: count.nullish(),
  total_tokens: count.nullish(),
  prompt_cache_hit_tokens: count.nullish(),
  prompt_cache_creation_tokens: count.nullish(),
  reasoning_tokens: count.nullish(),
  cost: usd.nullish(),
  prompt_unit_price: usd.nullish(),
  completion_unit_price: usd.nullish(),
  latency: seconds.nullish(),
  generation_time: seconds.nullish(),
  time_to_first_token: seconds.nullish(),
  ttft: seconds.nullish(),
  tokens_per_second: z.number().nonnegative().max(MAX_TOKENS).nullish(),
  routing_time: seconds.nullish(),
  start_time: text.nullish(),
  timestamp: text.nullish(),
  stream: z.boolean().nullish(),
  status_code: z.number().int().min(0).max(999).nullish(),
  status: z.enum(["success", "error"]).nullish(),
  error_message: text.nullish(),
  customer_identifier: identityId.nullish(),
  customer_email: text.nullish(),
  customer_name: text.nullish(),
  customer_params: z
    .looseObject({
      customer_identifier: identityId.nullish(),
      name: text.nullish(),
      email: text.nullish(),
    })
    .nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  thread_identifier: identityId.nullish(),
  custom_identifier: id.max(1_000).nullish(),
  group_identifier: text.nullish(),
  environment: text.nullish(),
  trace_unique_id: id.max(1_000).nullish(),
  span_unique_id: id.max(1_000).nullish(),
  span_parent_id: id.max(1_000).nullish(),
  span_name: text.nullish(),
  span_workflow_name: text.nullish(),
  trace_name: text.nullish(),
  tools: z.array(z.unknown()).nullish(),
  temperature: z.number().min(-1_000).max(1_000).nullish(),
  top_p: z.number().min(-1_000).max(1_000).nullish(),
  max_tokens: count.nullish(),
  disable_log: z.boolean().nullish(),
  attempts: z.number().int().nonnegative().max(1_000).nullish(),
  fallback_from: z.array(text).nullish(),
});

export type RequestLogInput = z.infer<typeof requestLogInputSchema>;
