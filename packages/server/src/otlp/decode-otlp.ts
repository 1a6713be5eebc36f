import { InvalidRequestError } from "@keyway/core";
import type { SpanLike } from "@keyway/otel";
import protobuf from "protobufjs";
import { otlpTraceSchema } from "./otlp-trace-schema.js";

const root = protobuf.parse(otlpTraceSchema, { keepCase: false }).root;
const requestType = root.lookupType("opentelemetry.proto.ExportTraceServiceRequest");
const responseType = root.lookupType("opentelemetry.proto.ExportTraceServiceResponse");

type Json = Record<string, unknown>;

/** An OTLP `AnyValue` (JSON or decoded protobuf) as a span attribute value: primitives, arrays, maps as JSON. */
function anyValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Json;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return (((v.arrayValue as Json).values as unknown[]) ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return JSON.stringify(attributesOf((v.kvlistValue as Json).values));
  if (v.bytesValue !== undefined) return idOf(v.bytesValue);
  return undefined;
}

function attributesOf(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list as Json[]) {
    const key = typeof entry?.key === "string" ? entry.key : undefined;
    const value = anyValue(entry?.value);
    if (key !== undefined && value !== undefined) out[key] = value;
  }
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
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

function toSpanLike(span: Json, scope: string | undefined): SpanLike {
  const traceId = idOf(span.traceId);
  const spanId = idOf(span.spanId);
  const parent = idOf(span.parentSpanId);
  const startTime = hrTimeOf(span.startTimeUnixNano);
  const endTime = hrTimeOf(span.endTimeUnixNano);
  const nanos = Math.max(0, (endTime[0] - startTime[0]) * 1e9 + (endTime[1] - startTime[1]));
  const status = (span.status ?? {}) as Json;
  return {
    name: String(span.name ?? ""),
    spanContext: () => ({ traceId, spanId }),
    parentSpanContext: parent ? { spanId: parent } : undefined,
    startTime,
    endTime,
    duration: [Math.floor(nanos / 1e9), nanos % 1e9],
    status: {
      code: Number(status.code ?? 0),
      message: typeof status.message === "string" ? status.message : "",
    },
    attributes: attributesOf(span.attributes),
    events: Array.isArray(span.events)
      ? (span.events as Json[]).map((event) => ({
          name: String(event.name ?? ""),
          attributes: attributesOf(event.attributes),
        }))
      : [],
    instrumentationScope: scope ? { name: scope } : undefined,
  };
}

/** The spans of an OTLP trace export request, JSON (`resourceSpans`) or decoded protobuf: one shape. */
function spansOf(request: Json): SpanLike[] {
  const spans: SpanLike[] = [];
  const resourceSpans = request.resourceSpans;
  if (!Array.isArray(resourceSpans))
    throw new InvalidRequestError("An OTLP trace export needs resourceSpans (an array).", {
      field: "resourceSpans",
    });
  for (const resource of resourceSpans as Json[]) {
    for (const scopeSpans of ((resource?.scopeSpans as Json[]) ?? []) as Json[]) {
      const scope = (scopeSpans?.scope as Json | undefined)?.name;
      for (const span of ((scopeSpans?.spans as Json[]) ?? []) as Json[])
        spans.push(toSpanLike(span, typeof scope === "string" ? scope : undefined));
    }
  }
  return spans;
}

export type OtlpEncoding = "json" | "protobuf";

/** Decodes an OTLP/HTTP trace export body into spans; a body that is neither is a 400. */
export function decodeOtlpTraces(body: Buffer, encoding: OtlpEncoding): SpanLike[] {
  if (encoding === "json") {
    let request: unknown;
    try {
      request = JSON.parse(body.toString("utf8"));
    } catch {
      throw new InvalidRequestError("The body is not valid JSON.", { code: "invalid_json" });
    }
    if (typeof request !== "object" || request === null)
      throw new InvalidRequestError("An OTLP trace export is a JSON object.", { field: "resourceSpans" });
    return spansOf(request as Json);
  }
  let decoded: Json;
  try {
    decoded = requestType.toObject(requestType.decode(body), { longs: String, arrays: true }) as Json;
  } catch (error) {
    throw new InvalidRequestError(
      `The body is not an OTLP protobuf trace export: ${(error as Error).message}`,
      {
        code: "invalid_protobuf",
      },
    );
  }
  return spansOf(decoded);
}

/** OTLP's answer: empty when every span was taken, else the partial success with how many were rejected. */
export function encodeOtlpResponse(
  rejected: number,
  errorMessage: string,
  encoding: OtlpEncoding,
): { body: Buffer | string; contentType: string } {
  const partial = rejected > 0 ? { partialSuccess: { rejectedSpans: rejected, errorMessage } } : {};
  if (encoding === "json") return { body: JSON.stringify(partial), contentType: "application/json" };
  const message = responseType.fromObject(
    rejected > 0 ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage } } : {},
  );
  return { body: Buffer.from(responseType.encode(message).finish()), contentType: "application/x-protobuf" };
}
