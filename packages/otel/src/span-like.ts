/** The parts of an OpenTelemetry `ReadableSpan` the exporter reads — the same in SDK 2.x and 3.x. */
export type HrTime = [number, number];
export type Attributes = Readonly<Record<string, unknown>>;

export interface SpanLike {
  name: string;
  spanContext(): { traceId: string; spanId: string };
  /** 2.x and 3.x; 1.x had `parentSpanId`. */
  parentSpanContext?: { spanId: string } | undefined;
  parentSpanId?: string | undefined;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  status: { code: number; message?: string | undefined };
  attributes: Attributes;
  events: readonly { name: string; attributes?: Attributes | undefined }[];
  instrumentationScope?: { name: string } | undefined;
}

export const hrSeconds = (time: HrTime): number => time[0] + time[1] / 1e9;
export const hrDate = (time: HrTime): string => new Date(Math.round(hrSeconds(time) * 1000)).toISOString();

/** OTel `SpanStatusCode.ERROR`. */
export const STATUS_ERROR = 2;
