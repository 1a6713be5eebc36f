import type { KeyHealth } from "@keyway/core";
import type { InstanceSignals } from "./alert-store.js";

const BUCKET_S = 10;

/**
 * What this instance reports for the lease holder: its pooled keys cooled down now, and the logs its ingest
 * rejected per 10-second bucket over the longest window a rule looks back (older buckets are dropped).
 */
export class InstanceWatch {
  readonly #rejected = new Map<number, number>();

  constructor(
    readonly instance: string,
    /** The longest window a rule looks back over: set again when the rules change. */
    public keepSeconds: number,
  ) {}

  rejected(count: number, now = Date.now()): void {
    if (count <= 0) return;
    const bucket = Math.floor(now / 1000 / BUCKET_S) * BUCKET_S;
    this.#rejected.set(bucket, (this.#rejected.get(bucket) ?? 0) + count);
  }

  snapshot(keys: readonly KeyHealth[], now: number): InstanceSignals {
    const oldest = now / 1000 - this.keepSeconds - BUCKET_S;
    for (const bucket of this.#rejected.keys()) if (bucket < oldest) this.#rejected.delete(bucket);
    return {
      instance: this.instance,
      at: now,
      keys_down: keys.filter((key) => !key.healthy).map((key) => `${key.provider}:${key.keyId}`),
      rejected: Object.fromEntries(this.#rejected),
    };
  }
}

/** Logs rejected by every instance since `since` (a bucket counts when it starts inside the window). */
export function rejectedSince(signals: readonly InstanceSignals[], since: number): number {
  let total = 0;
  for (const signal of signals)
    for (const [bucket, count] of Object.entries(signal.rejected))
      if (Number(bucket) * 1000 >= since - BUCKET_S * 1000) total += count;
  return total;
}
