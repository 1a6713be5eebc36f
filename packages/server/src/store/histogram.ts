import type { Percentiles } from "./log-store.js";

// Log-scale buckets of 5 % width from 0.1 ms: a value's bucket is ⌊log(ms/0.1)/log(1.05)⌋.
const RATIO = 1.05;
const FLOOR_MS = 0.1;
const LOG_RATIO = Math.log(RATIO);

/** The histogram bucket of a duration in seconds (null stays null). */
export function bucketOf(seconds: number | undefined): number | null {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  const ms = seconds * 1000;
  return ms <= FLOOR_MS ? 0 : Math.floor(Math.log(ms / FLOOR_MS) / LOG_RATIO) + 1;
}

/** The representative value (seconds) of a bucket: its geometric midpoint. */
function bucketValue(bucket: number): number {
  if (bucket === 0) return FLOOR_MS / 2000;
  const low = FLOOR_MS * RATIO ** (bucket - 1);
  return (low * Math.sqrt(RATIO)) / 1000;
}

/** p50/p95/p99 from bucket counts. */
export function percentilesOf(counts: ReadonlyMap<number, number>): Percentiles {
  const buckets = [...counts.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return { p50: null, p95: null, p99: null };
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (seen >= rank) return Math.round(bucketValue(bucket) * 1e6) / 1e6;
    }
    return null;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
