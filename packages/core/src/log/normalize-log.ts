import { randomUUID } from "node:crypto";
import { InvalidRequestError } from "../errors/errors.js";
import { dropContent } from "./disable-log.js";
import { repairParsed } from "./repair-log.js";
import type { ChatMessage, CustomerParams, RequestLog } from "./request-log.js";
import { type RequestLogInput, requestLogInputSchema } from "./request-log-schema.js";

/** Input names that normalisation folds into another field; they do not survive into the stored shape. */
const aliasFields = [
  "usage",
  "generation_time",
  "ttft",
  "customer_identifier",
  "customer_email",
  "customer_name",
] as const;

const isMessage = (value: unknown): value is ChatMessage =>
  typeof value === "object" && value !== null && typeof (value as { role?: unknown }).role === "string";

const firstDefined = <T>(...values: (T | null | undefined)[]): T | undefined =>
  values.find((v) => v !== undefined && v !== null) ?? undefined;

export interface NormalizeOptions {
  generateId?: () => string;
  now?: () => Date;
}

/**
 * Validates a log in any documented shape — legacy (`prompt_messages`, `completion_message`,
 * `generation_time`, `ttft`, flat tokens) or current (`input`/`output`, `usage{}`, `latency`,
 * `time_to_first_token`) — and returns the one `RequestLog` shape. Throws `InvalidRequestError` naming the
 * first bad field. Unknown fields are kept.
 */
export function normalizeLog(input: unknown, options: NormalizeOptions = {}): RequestLog {
  const parsed = requestLogInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join(".") || undefined;
    throw new InvalidRequestError(
      `Invalid log${field ? ` field "${field}"` : ""}: ${issue?.message ?? "invalid"}`,
      {
        ...(field !== undefined ? { field } : {}),
        code: "invalid_log",
      },
    );
  }
  return shapeLog(parsed.data, options);
}

/**
 * A log the gateway built, for a call already answered: repaired rather than refused (`repairLog`) and
 * normalized, the schema run once for both.
 */
export function normalizeGatewayLog(input: RequestLog, options: NormalizeOptions = {}): RequestLog {
  const { log, parsed } = repairParsed(input);
  // Rounds of repair that ran out leave a log the schema still refuses: refused here as anywhere.
  return parsed ? shapeLog(parsed, options) : normalizeLog(log, options);
}

/** The one stored shape from what the schema accepted. */
function shapeLog(raw: RequestLogInput, options: NormalizeOptions): RequestLog {
  const log: Record<string, unknown> = {};
  // By keys, not `Object.entries`: the schema's output is a dictionary-mode object, and entries' pair arrays made
  // this copy most of the normalisation's time (bench/RESULTS.md, "Cost per call", 5).
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value !== null && value !== undefined && !(aliasFields as readonly string[]).includes(key))
      log[key] = value;
  }
  const usage = raw.usage ?? {};

  log.unique_id = raw.unique_id ?? (options.generateId ?? randomUUID)();
  const logType = raw.log_type ?? "chat";
  log.log_type = logType;

  if (logType === "chat" || logType === "completion" || logType === "response") {
    if (!raw.prompt_messages && Array.isArray(raw.input) && raw.input.every(isMessage)) {
      log.prompt_messages = raw.input;
      delete log.input;
    } else if (!raw.prompt_messages && typeof raw.input === "string") {
      log.prompt_messages = [{ role: "user", content: raw.input }];
      delete log.input;
    }
    if (!raw.completion_message && raw.output !== undefined) {
      if (isMessage(raw.output)) log.completion_message = raw.output;
      else if (typeof raw.output === "string")
        log.completion_message = { role: "assistant", content: raw.output };
      if (log.completion_message) delete log.output;
    }
  }

  const promptTokens = firstDefined(raw.prompt_tokens, usage.prompt_tokens, usage.input_tokens);
  const completionTokens = firstDefined(raw.completion_tokens, usage.completion_tokens, usage.output_tokens);
  const tokens: Partial<RequestLog> = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: firstDefined(
      raw.total_tokens,
      usage.total_tokens,
      promptTokens !== undefined && completionTokens !== undefined
        ? promptTokens + completionTokens
        : undefined,
    ),
    prompt_cache_hit_tokens: firstDefined(
      raw.prompt_cache_hit_tokens,
      usage.cache_read_input_tokens,
      usage.prompt_tokens_details?.cached_tokens,
    ),
    prompt_cache_creation_tokens: firstDefined(
      raw.prompt_cache_creation_tokens,
      usage.cache_creation_input_tokens,
      usage.cache_creation_prompt_tokens,
    ),
    reasoning_tokens: firstDefined(raw.reasoning_tokens, usage.completion_tokens_details?.reasoning_tokens),
    latency: firstDefined(raw.latency, raw.generation_time),
    time_to_first_token: firstDefined(raw.time_to_first_token, raw.ttft),
  };
  for (const key of Object.keys(tokens) as (keyof typeof tokens)[])
    if (tokens[key] !== undefined) log[key] = tokens[key];

  const customer: CustomerParams = {};
  const given = (raw.customer_params ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given))
    if (given[key] !== null && given[key] !== undefined) customer[key] = given[key];
  if (raw.customer_identifier && !customer.customer_identifier)
    customer.customer_identifier = raw.customer_identifier;
  if (raw.customer_email && !customer.email) customer.email = raw.customer_email;
  if (raw.customer_name && !customer.name) customer.name = raw.customer_name;
  if (Object.keys(customer).length > 0) log.customer_params = customer;

  const statusCode = raw.status_code ?? (raw.status === "error" || raw.error_message ? 500 : 200);
  log.status_code = statusCode;
  log.status = raw.status ?? (statusCode >= 400 || raw.error_message ? "error" : "success");
  log.timestamp = raw.timestamp ?? (options.now?.() ?? new Date()).toISOString();

  const result = log as RequestLog;
  return raw.disable_log ? dropContent(result) : result;
}
