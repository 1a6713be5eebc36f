import type { IncomingMessage, ServerResponse } from "node:http";
import { setImmediate as nextTurn } from "node:timers/promises";
import { InvalidRequestError, type RequestLog, readBody } from "@keyway/core";
import { inheritIdentity, readSpan, spanToLog } from "@keyway/otel";
import type { LogWriter } from "../metrics/server-metrics.js";
import type { OtlpDecoder } from "../otlp/otlp-decoder.js";
import { encodeOtlpResponse, type OtlpEncoding } from "../otlp/otlp-response.js";
import { type SpanRecord, toSpanLike } from "../otlp/span-record.js";
import { type IngestOptions, prepareIngested } from "./prepare-ingested.js";

/** Spans mapped, or logs written, between two turns of the event loop: other requests are answered between. */
const SLICE = 50;

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.split(";")[0]?.trim().toLowerCase() ?? "";
};

function encodingOf(req: IncomingMessage): OtlpEncoding {
  const type = header(req, "content-type");
  if (type === "application/x-protobuf") return "protobuf";
  if (type === "application/json") return "json";
  throw new InvalidRequestError("OTLP/HTTP bodies are application/json or application/x-protobuf.", {
    code: "unsupported_media_type",
    statusCode: 415,
  });
}

function contentEncodingOf(req: IncomingMessage): string {
  const encoding = header(req, "content-encoding");
  if (encoding === "" || encoding === "identity") return "";
  if (encoding !== "gzip")
    throw new InvalidRequestError(`Content-Encoding ${encoding} is not supported (gzip is).`, {
      code: "unsupported_media_type",
      statusCode: 415,
    });
  return encoding;
}

export interface OtlpRouteOptions extends IngestOptions {
  maxBodyBytes: number;
  /** Spans taken from one export; the rest are rejected in OTLP's partial success (default 10,000). */
  maxSpans?: number;
  decoder: OtlpDecoder;
}

/**
 * OTLP/HTTP trace export (`/v1/traces`, Respan's `/api/v1/traces` and `/api/v2/traces`), JSON or protobuf, gzip or
 * not — what any OpenTelemetry SDK's stock exporter sends. Every span is stored in its trace: model-call spans as
 * request logs (the `@keyway/otel` convention tables), the others as spans of their type. A span that cannot be
 * stored, or is past the per-export limit, is counted in OTLP's partial success; the others are stored,
 * idempotent on trace and span id. The body is decoded in a worker and mapped in slices, so an export as large
 * as the limits allow leaves the server answering.
 */
export function createOtlpRoute(store: LogWriter, options: OtlpRouteOptions) {
  const maxSpans = options.maxSpans ?? 10_000;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const encoding = encodingOf(req);
    const contentEncoding = contentEncodingOf(req);
    const body = await readBody(req, options.maxBodyBytes);
    const decoded = await options.decoder.decode({
      body,
      encoding,
      contentEncoding,
      maxInflatedBytes: options.maxBodyBytes,
      maxSpans,
    });
    const records: SpanRecord[] = [];
    for (const page of decoded.pages) {
      records.push(...(JSON.parse(page) as SpanRecord[]));
      await nextTurn();
    }
    const spans = inheritIdentity(records.map(toSpanLike));
    const logs: RequestLog[] = [];
    const reasons: string[] = [];
    const overLimit = decoded.total - decoded.decoded;
    if (overLimit > 0)
      reasons.push(
        `${overLimit} of ${decoded.total} spans are past the limit of ${maxSpans} spans per export`,
      );
    for (const [index, span] of spans.entries()) {
      if (index > 0 && index % SLICE === 0) await nextTurn();
      try {
        const reading = readSpan(span) ?? { kind: "span" as const, logType: "task" };
        logs.push(prepareIngested(spanToLog(span, reading, options), options));
      } catch (error) {
        reasons.push(`span ${span.spanContext().spanId}: ${(error as Error).message}`);
      }
    }
    for (let start = 0; start < logs.length; start += SLICE)
      await store.insert(logs.slice(start, start + SLICE));
    const rejected = overLimit + (decoded.decoded - logs.length);
    store.refused(rejected);
    const answer = encodeOtlpResponse(rejected, reasons.slice(0, 5).join("; "), encoding);
    res.writeHead(200, {
      "content-type": answer.contentType,
      "content-length": Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
  };
}
