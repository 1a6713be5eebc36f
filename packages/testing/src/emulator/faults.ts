import type { FaultSpec, WireFormat } from "./types.js";

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

/** Scripted faults, taken in the order they were added; each applies to its first `times` matching requests. */
export class FaultBook {
  #faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.#faults.push({ spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#faults = [];
  }

  take(request: {
    apiKey: string | undefined;
    model: string | undefined;
    format: WireFormat;
  }): FaultSpec | undefined {
    for (const fault of this.#faults) {
      if (fault.remaining <= 0) continue;
      const match = fault.spec.match ?? {};
      if (match.apiKey !== undefined && match.apiKey !== request.apiKey) continue;
      if (match.model !== undefined && match.model !== request.model) continue;
      if (match.format !== undefined && match.format !== request.format) continue;
      fault.remaining--;
      return fault.spec;
    }
    return undefined;
  }
}

/** A short description of a fault for the request record. */
export function describeFault(spec: FaultSpec): string {
  const parts: string[] = [];
  if (spec.status !== undefined) parts.push(`status ${spec.status}`);
  if (spec.retryAfter !== undefined) parts.push(`retry-after ${spec.retryAfter}`);
  if (spec.headerDelayMs !== undefined) parts.push(`header delay ${spec.headerDelayMs} ms`);
  if (spec.chunkDelayMs !== undefined) parts.push(`chunk delay ${spec.chunkDelayMs} ms`);
  if (spec.resetAfterChunks !== undefined) parts.push(`reset after ${spec.resetAfterChunks} chunks`);
  if (spec.malformed) parts.push("malformed");
  if (spec.stallAfterChunks !== undefined) parts.push(`stall after ${spec.stallAfterChunks} chunks`);
  if (spec.oversizeBytes !== undefined) parts.push(`${spec.oversizeBytes} bytes`);
  if (spec.streamError) parts.push(`stream error after ${spec.streamError.afterChunks} chunks`);
  if (spec.endAfterChunks !== undefined) parts.push(`end after ${spec.endAfterChunks} chunks`);
  if (spec.notSse) parts.push(`${spec.notSse} to a stream request`);
  return parts.join(", ");
}
