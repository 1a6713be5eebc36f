/**
 * What several gateway instances must share (cache entries, budget spend, key cooldowns, rate-limit counters): a
 * small key-value store with expiry. In memory by default; a Redis-backed one makes several instances share it.
 */
export interface GatewayState {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Adds `amount` to a number (0 when absent or expired), keeping it `ttlMs` from its first write; the new value. */
  add(key: string, amount: number, ttlMs: number): Promise<number>;
  /**
   * Atomically, across instances: when every counter is below its `limit`, adds each its `amount` (as `add` does)
   * and resolves true; when any is at or past its limit, changes nothing and resolves false. Concurrent calls
   * reserving against one limit therefore pass it by at most one reservation.
   */
  reserve(counters: readonly Reservation[]): Promise<boolean>;
}

/** One counter of a `reserve`: what to add, and the value it must be below (none: always added). */
export interface Reservation {
  key: string;
  amount: number;
  limit?: number | undefined;
  ttlMs: number;
}

/** The TTL of counters that live as long as the state does (all-time spend, cache statistics): ten years. */
export const LIFETIME_TTL_MS = 10 * 365 * 86_400_000;

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * Gateway state in this process: entries expire after their TTL. Past `maxEntries` stored values (cache entries)
 * the least recently written go first; counters (spend, rate windows) are never evicted — only their expiry ends
 * them — so no amount of cache traffic resets a customer's spend.
 */
export function memoryGatewayState(options: { maxEntries?: number; now?: () => number } = {}): GatewayState {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const values = new Map<string, Entry>();
  const counters = new Map<string, Entry>();
  let writes = 0;
  const live = (map: Map<string, Entry>, key: string): Entry | undefined => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };
  const addNow = (key: string, amount: number, ttlMs: number): number => {
    const entry = live(counters, key);
    const value = Number(entry?.value ?? 0) + amount;
    counters.set(key, { value: String(value), expiresAt: entry?.expiresAt ?? now() + ttlMs });
    // Expired counters are dropped now and then, so windows that ended do not pile up.
    if (++writes % 1_000 === 0)
      for (const [name, counter] of counters) if (counter.expiresAt <= now()) counters.delete(name);
    return value;
  };
  return {
    async get(key) {
      return (live(counters, key) ?? live(values, key))?.value;
    },
    async set(key, value, ttlMs) {
      values.delete(key);
      values.set(key, { value, expiresAt: now() + ttlMs });
      while (values.size > maxEntries) values.delete(values.keys().next().value as string);
    },
    async add(key, amount, ttlMs) {
      return addNow(key, amount, ttlMs);
    },
    async reserve(reservations) {
      // One synchronous step: no other call of this process runs between the checks and the adds.
      for (const { key, limit } of reservations)
        if (limit !== undefined && Number(live(counters, key)?.value ?? 0) >= limit) return false;
      for (const { key, amount, ttlMs } of reservations) addNow(key, amount, ttlMs);
      return true;
    },
  };
}
