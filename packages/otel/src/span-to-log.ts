import {
  applyUsage,
  type CustomerParams,
  type ModelPrices,
  type RequestLog,
  resolveIdentity,
} from "@keyway/core";
import { AttributeReader } from "./attributes.js";
import { aiSdkLegacy } from "./conventions/ai-sdk-legacy.js";
import { genAISemconv } from "./conventions/genai-semconv.js";
import { openLLMetry } from "./conventions/openllmetry.js";
import type { Convention, SpanReading } from "./conventions/span-reading.js";
import { hrDate, hrSeconds, type SpanLike, STATUS_ERROR } from "./span-like.js";

/** Tried in order: the first that recognises a span reads it. */
export const conventions: readonly Convention[] = [aiSdkLegacy, genAISemconv, openLLMetry];

const identityPrefixes = [
  "keyway",
  "ai.telemetry.metadata",
  "ai.settings.context",
  "respan",
  "respan.customer_params",
];

function identity(a: AttributeReader): Partial<RequestLog> {
  const customer: CustomerParams = {};
  const customerId = a.string(...identityPrefixes.map((prefix) => `${prefix}.customer_identifier`));
  if (customerId) customer.customer_identifier = customerId;
  const email = a.string(
    "keyway.customer_email",
    "respan.customer_params.email",
    "ai.telemetry.metadata.customer_email",
  );
  if (email) customer.email = email;
  const name = a.string(
    "keyway.customer_name",
    "respan.customer_params.name",
    "ai.telemetry.metadata.customer_name",
  );
  if (name) customer.name = name;
  const metadata: Record<string, unknown> = {};
  for (const prefix of [
    "ai.telemetry.metadata",
    "ai.settings.context",
    "keyway.metadata",
    "respan.metadata",
  ]) {
    for (const [key, value] of Object.entries(a.prefixed(prefix))) {
      if (!["customer_identifier", "customer_email", "customer_name", "thread_identifier"].includes(key))
        metadata[key] = value;
    }
  }
  // Respan's SDKs put metadata as one JSON attribute too.
  const respanMetadata = a.json("respan.metadata");
  if (typeof respanMetadata === "object" && respanMetadata !== null && !Array.isArray(respanMetadata))
    Object.assign(metadata, respanMetadata);
  const thread = a.string(
    ...identityPrefixes.map((prefix) => `${prefix}.thread_identifier`),
    "respan.threads.thread_identifier",
    "gen_ai.conversation.id",
  );
  const custom = a.string("keyway.custom_identifier", "respan.custom_identifier");
  // Only the span's own attributes, no context: the exporter runs later, in whatever context a batch timer
  // inherited, so the ambient Keyway context there may be another request's.
  return resolveIdentity({
    params: { customer_params: customer, metadata, thread_identifier: thread, custom_identifier: custom },
  });
}

function errorOf(span: SpanLike, a: AttributeReader): { status: number; message: string } | undefined {
  const exception = span.events.find((event) => event.name === "exception");
  if (span.status.code !== STATUS_ERROR && !exception) return undefined;
  const message =
    span.status.message ||
    (typeof exception?.attributes?.["exception.message"] === "string"
      ? (exception.attributes["exception.message"] as string)
      : undefined) ||
    a.string("error.type") ||
    "span ended with an error";
  const status = a.number("http.response.status_code", "http.status_code", "ai.response.statusCode") ?? 500;
  return { status: status >= 400 ? status : 500, message };
}

/** Reads a span with the first convention that recognises it; undefined for spans no convention knows. */
export function readSpan(span: SpanLike): SpanReading | undefined {
  const attributes = new AttributeReader(span.attributes ?? {});
  for (const convention of conventions) {
    const reading = convention.read(span, attributes);
    if (reading) return reading;
  }
  return undefined;
}

/** One span as a Keyway log: a `chat` request log for model calls, a span log of its type otherwise. */
export function spanToLog(
  span: SpanLike,
  reading: SpanReading,
  options: { prices?: Record<string, ModelPrices> } = {},
): RequestLog {
  const a = new AttributeReader(span.attributes ?? {});
  const { traceId, spanId } = span.spanContext();
  const parent = span.parentSpanContext?.spanId ?? span.parentSpanId;
  const error = errorOf(span, a);
  const log: RequestLog = {
    unique_id: `${traceId}-${spanId}`,
    log_source: "otel",
    log_type:
      reading.kind === "request" ? "chat" : (a.string("respan.entity.log_type") ?? reading.logType ?? "task"),
    trace_unique_id: traceId,
    span_unique_id: spanId,
    ...(parent ? { span_parent_id: parent } : {}),
    span_name: span.name,
    start_time: hrDate(span.startTime),
    timestamp: hrDate(span.endTime),
    latency: Math.round(hrSeconds(span.duration) * 1e6) / 1e6,
    status_code: error?.status ?? 200,
    status: error ? "error" : "success",
    ...(error ? { error_message: error.message } : {}),
    ...identity(a),
  };
  if (reading.kind === "span") {
    if (reading.input !== undefined) log.input = reading.input;
    if (reading.output !== undefined) log.output = reading.output;
    return log;
  }
  if (reading.model) log.model = reading.model;
  if (reading.provider) log.provider_id = reading.provider;
  log.prompt_messages = reading.messages ?? [];
  if (reading.completion) log.completion_message = reading.completion;
  log.stream = reading.stream === true;
  if (reading.timeToFirstToken !== undefined)
    log.time_to_first_token = Math.round(reading.timeToFirstToken * 1e6) / 1e6;
  if (reading.finishReason) log.finish_reason = reading.finishReason;
  if (reading.temperature !== undefined) log.temperature = reading.temperature;
  if (reading.maxTokens !== undefined) log.max_tokens = reading.maxTokens;
  return applyUsage(
    log,
    {
      promptTokens: reading.promptTokens,
      completionTokens: reading.completionTokens,
      cacheReadTokens: reading.cacheReadTokens,
      cacheWriteTokens: reading.cacheWriteTokens,
    },
    { model: reading.model, provider: reading.provider, prices: options.prices },
  );
}
