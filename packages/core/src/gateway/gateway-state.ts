/**
 * What several gateway instances must share (cache entries and budget spend today; key cooldowns and rate-limit
 * counters are its next tenants): a small key-value store with expiry. In memory by default; a Redis-backed one
 * makes several instances share it.
 */
export interface GatewayState {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Adds `amount` to a number (0 when absent or expired), keeping it `ttlMs` from its first write; the new value. */
  add(key: string, amount: number, ttlMs: number): Promise<number>;
}

/** The TTL of counters that live as long as the state does (all-time spend, cache statistics): ten years. */
export const LIFETIME_TTL_MS = 10 * 365 * 86_400_000;

/** Gateway state in this process: entries expire after their TTL; past `maxEntries` the oldest go first. */
export function memoryGatewayState(options: { maxEntries?: number; now?: () => number } = {}): GatewayState {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number }>();
  // Every write moves its key to the newest end, so past `maxEntries` what goes is what was least recently
  // written: a counter still being added to (a customer's spend) outlives idle cache entries.
  const write = (key: string, value: string, expiresAt: number) => {
    entries.delete(key);
    entries.set(key, { value, expiresAt });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async set(key, value, ttlMs) {
      write(key, value, now() + ttlMs);
    },
    async add(key, amount, ttlMs) {
      const entry = entries.get(key);
      const live = entry && entry.expiresAt > now() ? entry : undefined;
      const value = Number(live?.value ?? 0) + amount;
      write(key, String(value), live?.expiresAt ?? now() + ttlMs);
      return value;
    },
  };
}
