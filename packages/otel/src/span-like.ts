/** The parts of an OpenTelemetry `ReadableSpan` the exporter reads — the same in SDK 2.x and 3.x. */
export type HrTime = [number, number];
export type AttributeValue =
  | string
  | number
  | boolean
  | readonly (string | number | boolean | null | undefined)[]
  | undefined;
export type Attributes = Record<string, AttributeValue>;

export interface SpanLike {
  name: string;
  spanContext(): { traceId: string; spanId: string };
  /** 2.x and 3.x; 1.x had `parentSpanId`. */
  parentSpanContext?: { spanId: string } | undefined;
  parentSpanId?: string;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  status: { code: number; message?: string };
  attributes: Attributes;
  events: readonly { name: string; attributes?: Attributes; time?: HrTime }[];
  instrumentationScope?: { name: string };
}

export const hrSeconds = (time: HrTime): number => time[0] + time[1] / 1e9;
export const hrDate = (time: HrTime): string => new Date(Math.round(hrSeconds(time) * 1000)).toISOString();

/** OTel `SpanStatusCode.ERROR`. */
export const STATUS_ERROR = 2;
