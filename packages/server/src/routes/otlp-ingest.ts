import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { InvalidRequestError, readBody } from "@keyway/core";
import { inheritIdentity, readSpan, spanToLog } from "@keyway/otel";
import { decodeOtlpTraces, encodeOtlpResponse, type OtlpEncoding } from "../otlp/decode-otlp.js";
import type { LogStore } from "../store/log-store.js";
import { type IngestOptions, prepareIngested } from "./prepare-ingested.js";

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

function inflate(req: IncomingMessage, body: Buffer, limit: number): Buffer {
  const encoding = header(req, "content-encoding");
  if (encoding === "" || encoding === "identity") return body;
  if (encoding !== "gzip")
    throw new InvalidRequestError(`Content-Encoding ${encoding} is not supported (gzip is).`, {
      code: "unsupported_media_type",
      statusCode: 415,
    });
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw new InvalidRequestError(`The inflated body is larger than ${limit} bytes.`, {
        code: "body_too_large",
        statusCode: 413,
      });
    throw new InvalidRequestError("The body is not valid gzip.", { code: "invalid_gzip" });
  }
}

/**
 * OTLP/HTTP trace export (`/v1/traces`, Respan's `/api/v1/traces` and `/api/v2/traces`), JSON or protobuf, gzip or
 * not — what any OpenTelemetry SDK's stock exporter sends. Every span is stored in its trace: model-call spans as
 * request logs (the `@keyway/otel` convention tables), the others as spans of their type. A span that cannot be
 * stored is counted in OTLP's partial success; the others are stored, idempotent on trace and span id.
 */
export function createOtlpRoute(store: LogStore, options: IngestOptions & { maxBodyBytes: number }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const encoding = encodingOf(req);
    const body = inflate(req, await readBody(req, options.maxBodyBytes), options.maxBodyBytes);
    const spans = inheritIdentity(decodeOtlpTraces(body, encoding));
    const logs = [];
    const reasons: string[] = [];
    for (const span of spans) {
      try {
        const reading = readSpan(span) ?? { kind: "span" as const, logType: "task" };
        logs.push(prepareIngested(spanToLog(span, reading, options), options));
      } catch (error) {
        reasons.push(`span ${span.spanContext().spanId}: ${(error as Error).message}`);
      }
    }
    if (logs.length > 0) await store.insert(logs);
    const answer = encodeOtlpResponse(reasons.length, reasons.slice(0, 5).join("; "), encoding);
    res.writeHead(200, {
      "content-type": answer.contentType,
      "content-length": Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
  };
}
