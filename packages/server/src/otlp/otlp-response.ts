import protobuf from "protobufjs";
import { otlpTraceSchema } from "./otlp-trace-schema.js";

const responseType = protobuf
  .parse(otlpTraceSchema, { keepCase: false })
  .root.lookupType("opentelemetry.proto.ExportTraceServiceResponse");

export type OtlpEncoding = "json" | "protobuf";

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
