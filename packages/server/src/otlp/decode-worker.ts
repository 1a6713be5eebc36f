// The OTLP decoder's worker program. It imports nothing of this package at run time (only types, which Node
// strips), so Node runs this file as it is from the TypeScript sources and from the build alike.
import { parentPort, workerData } from "node:worker_threads";
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";
import type { WorkerReply } from "../workers/worker-pool.js";
import type { DecodedExport, SpanRecord } from "./span-record.js";

/** Span records per page of the answer (see `DecodedExport`). */
const SPANS_PER_PAGE = 50;

interface Decoded {
  spans: SpanRecord[];
  total: number;
}

export interface DecodeJob {
  body: Uint8Array;
  encoding: "json" | "protobuf";
  /** `gzip`, or empty for none. */
  contentEncoding: string;
  maxInflatedBytes: number;
  /** Spans past this many are counted, not decoded. */
  maxSpans: number;
}

type Json = Record<string, unknown>;

/** Nesting of an attribute value (arrays and maps) kept; deeper levels become a marker. */
const MAX_VALUE_DEPTH = 16;
/** Attributes (and events) kept per span: past OTel SDKs' own default limit of 128, far below what breaks. */
const MAX_ATTRIBUTES = 1_000;
const MAX_EVENTS = 1_000;

class DecodeError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(message: string, code: string, statusCode = 400) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
  }
}

const root = protobuf.parse(workerData.schema as string, { keepCase: false }).root;
const spanType = root.lookupType("opentelemetry.proto.Span");
const scopeType = root.lookupType("opentelemetry.proto.InstrumentationScope");

/**
 * An OTLP `AnyValue` as a plain value, built once: maps become objects (not JSON text, which nested inside
 * another map would be escaped again at every level), arrays arrays, and nesting past the bound a marker.
 */
function plainValue(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Json;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return idOf(v.bytesValue);
  if (v.arrayValue === undefined && v.kvlistValue === undefined) return undefined;
  if (depth >= MAX_VALUE_DEPTH) return `[nested deeper than ${MAX_VALUE_DEPTH} levels]`;
  if (v.arrayValue !== undefined) {
    const values = (v.arrayValue as Json)?.values;
    return Array.isArray(values)
      ? values.slice(0, MAX_ATTRIBUTES).map((item) => plainValue(item, depth + 1))
      : [];
  }
  return keyValues((v.kvlistValue as Json)?.values, depth + 1);
}

function keyValues(list: unknown, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list.slice(0, MAX_ATTRIBUTES) as Json[]) {
    const key = typeof entry?.key === "string" ? entry.key : undefined;
    const value = plainValue(entry?.value, depth);
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/** Span attributes as the conventions read them: primitives and arrays as they are, a map as its JSON. */
function attributesOf(list: unknown): Record<string, unknown> {
  const out = keyValues(list, 0);
  for (const [key, value] of Object.entries(out))
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      out[key] = JSON.stringify(value);
    else if (Array.isArray(value))
      out[key] = value.map((item) =>
        typeof item === "object" && item !== null && !Array.isArray(item) ? JSON.stringify(item) : item,
      );
  return out;
}

/** A trace or span id: bytes from protobuf, hex (the OTLP/JSON rule) or base64 from JSON. */
function idOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value !== "string" || value === "") return "";
  if (/^[0-9a-f]+$/i.test(value) && (value.length === 32 || value.length === 16)) return value.toLowerCase();
  return Buffer.from(value, "base64").toString("hex");
}

/** Unix nanoseconds (a string, number or Long) as OTel's `[seconds, nanoseconds]`. */
function hrTimeOf(value: unknown): [number, number] {
  let nanos: bigint;
  try {
    nanos = BigInt(String(value ?? 0));
  } catch {
    nanos = 0n;
  }
  if (nanos < 0n) nanos = 0n;
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

function recordOf(span: Json, scope: string | undefined): SpanRecord {
  const status = (typeof span.status === "object" && span.status !== null ? span.status : {}) as Json;
  return {
    name: typeof span.name === "string" ? span.name : String(span.name ?? ""),
    traceId: idOf(span.traceId),
    spanId: idOf(span.spanId),
    parentSpanId: idOf(span.parentSpanId),
    startTime: hrTimeOf(span.startTimeUnixNano),
    endTime: hrTimeOf(span.endTimeUnixNano),
    statusCode: Number(status.code ?? 0) || 0,
    statusMessage: typeof status.message === "string" ? status.message : "",
    attributes: attributesOf(span.attributes),
    events: Array.isArray(span.events)
      ? (span.events.slice(0, MAX_EVENTS) as Json[]).map((event) => ({
          name: String(event?.name ?? ""),
          attributes: attributesOf(event?.attributes),
        }))
      : [],
    scope,
  };
}

/** The spans of a parsed OTLP/JSON export (`resourceSpans`), decoding no more than `maxSpans`. */
function jsonSpans(request: unknown, maxSpans: number): Decoded {
  const resourceSpans = (request as Json | null)?.resourceSpans;
  if (typeof request !== "object" || request === null || !Array.isArray(resourceSpans))
    throw new DecodeError("An OTLP trace export needs resourceSpans (an array).", "invalid_request");
  const out: Decoded = { spans: [], total: 0 };
  for (const resource of resourceSpans as Json[]) {
    const scopeSpansList = resource?.scopeSpans;
    if (!Array.isArray(scopeSpansList)) continue;
    for (const scopeSpans of scopeSpansList as Json[]) {
      const name = (scopeSpans?.scope as Json | undefined)?.name;
      const spans = scopeSpans?.spans;
      if (!Array.isArray(spans)) continue;
      out.total += spans.length;
      for (const span of spans) {
        if (out.spans.length >= maxSpans) break;
        // A span that is not an object still counts: it is rejected by name, not dropped unseen.
        const fields = typeof span === "object" && span !== null ? (span as Json) : {};
        out.spans.push(recordOf(fields, typeof name === "string" ? name : undefined));
      }
    }
  }
  return out;
}

/** The end of the length-delimited field the reader is at, checked against the buffer. */
function fieldEnd(reader: protobuf.Reader, end: number): number {
  const length = reader.uint32();
  const fieldEnd = reader.pos + length;
  if (fieldEnd > end) throw new DecodeError("A protobuf field runs past its message.", "invalid_protobuf");
  return fieldEnd;
}

/**
 * The spans of a protobuf export, walked on the wire: each span is decoded on its own, and spans past `maxSpans`
 * are counted and skipped undecoded, so ten million empty spans cost a scan, not ten million objects.
 */
function protobufSpans(body: Uint8Array, maxSpans: number): Decoded {
  const out: Decoded = { spans: [], total: 0 };
  const reader = protobuf.Reader.create(body);
  const fields = (end: number, onField: (field: number, wireType: number) => boolean) => {
    while (reader.pos < end) {
      const tag = reader.uint32();
      if (!onField(tag >>> 3, tag & 7)) reader.skipType(tag & 7);
    }
  };
  fields(reader.len, (field, wireType) => {
    if (field !== 1 || wireType !== 2) return false; // resource_spans
    fields(fieldEnd(reader, reader.len), (resourceField, resourceWire) => {
      if (resourceField !== 2 || resourceWire !== 2) return false; // scope_spans
      const scopeEnd = fieldEnd(reader, reader.len);
      let scope: string | undefined;
      const decoded: Json[] = [];
      fields(scopeEnd, (scopeField, scopeWire) => {
        if (scopeWire !== 2 || (scopeField !== 1 && scopeField !== 2)) return false;
        const end = fieldEnd(reader, scopeEnd);
        if (scopeField === 1) {
          scope =
            (scopeType.decode(reader, end - reader.pos) as unknown as { name?: string }).name || undefined;
        } else {
          out.total++;
          if (out.spans.length + decoded.length < maxSpans) {
            const message = spanType.decode(reader, end - reader.pos);
            decoded.push(spanType.toObject(message, { longs: String, arrays: true }) as Json);
          }
        }
        reader.pos = end;
        return true;
      });
      for (const span of decoded) out.spans.push(recordOf(span, scope));
      return true;
    });
    return true;
  });
  return out;
}

function inflate(job: DecodeJob): Uint8Array {
  if (job.contentEncoding !== "gzip") return job.body;
  try {
    return gunzipSync(job.body, { maxOutputLength: job.maxInflatedBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
      throw new DecodeError(
        `The inflated body is larger than ${job.maxInflatedBytes} bytes.`,
        "body_too_large",
        413,
      );
    throw new DecodeError("The body is not valid gzip.", "invalid_gzip");
  }
}

function decode(job: DecodeJob): Decoded {
  const body = inflate(job);
  if (job.encoding === "json") {
    let request: unknown;
    try {
      request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
    } catch {
      throw new DecodeError("The body is not valid JSON.", "invalid_json");
    }
    return jsonSpans(request, job.maxSpans);
  }
  try {
    return protobufSpans(body, job.maxSpans);
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    const reason = error instanceof RangeError && /call stack/i.test(error.message) ? "nested too deep" : "";
    throw new DecodeError(
      `The body is not an OTLP protobuf trace export: ${reason || (error as Error).message}`,
      "invalid_protobuf",
    );
  }
}

parentPort?.on("message", ({ id, input }: { id: number; input: DecodeJob }) => {
  let reply: WorkerReply<DecodedExport>;
  try {
    const { spans, total } = decode(input);
    const pages: string[] = [];
    for (let start = 0; start < spans.length; start += SPANS_PER_PAGE)
      pages.push(JSON.stringify(spans.slice(start, start + SPANS_PER_PAGE)));
    reply = { id, output: { pages, decoded: spans.length, total } };
  } catch (error) {
    reply =
      error instanceof DecodeError
        ? { id, error: { message: error.message, code: error.code, statusCode: error.statusCode } }
        : { id, error: { message: `The export could not be decoded: ${(error as Error).message}` } };
  }
  parentPort?.postMessage(reply);
});
