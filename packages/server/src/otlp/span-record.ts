import type { HrTime, SpanLike } from "@keyway/otel";

/**
 * One span as the OTLP decoder worker hands it over: plain data (it crosses a thread by structured clone), ids as
 * lowercase hex, attribute values flattened once and bounded.
 */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startTime: HrTime;
  endTime: HrTime;
  statusCode: number;
  statusMessage: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  scope: string | undefined;
}

/**
 * What the decoder worker answers for one export: at most the per-export span limit, as pages of JSON text (a
 * string crosses threads as one copy, and each page is parsed in its own turn; a deep clone of ten thousand
 * records would be one long deserialization on the main thread), and how many spans there were.
 */
export interface DecodedExport {
  pages: string[];
  decoded: number;
  total: number;
}

export function toSpanLike(record: SpanRecord): SpanLike {
  const { startTime, endTime, traceId, spanId } = record;
  const nanos = Math.max(0, (endTime[0] - startTime[0]) * 1e9 + (endTime[1] - startTime[1]));
  return {
    name: record.name,
    spanContext: () => ({ traceId, spanId }),
    parentSpanContext: record.parentSpanId ? { spanId: record.parentSpanId } : undefined,
    startTime,
    endTime,
    duration: [Math.floor(nanos / 1e9), nanos % 1e9],
    status: { code: record.statusCode, message: record.statusMessage },
    attributes: record.attributes,
    events: record.events,
    instrumentationScope: record.scope ? { name: record.scope } : undefined,
  };
}
