import { Redis } from "ioredis";
import { GatewayStateError } from "../../errors/errors.js";
import type { GatewayState } from "./gateway-state.js";

export interface RedisGatewayStateOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Prefix of every key, so several gateways (or other apps) can share one Redis; default `keyway:`. */
  prefix?: string;
  /** How long a command may wait for Redis before the call fails with 503 `gateway_state_unavailable`. */
  commandTimeoutMs?: number;
}

/**
 * Adds to a number and sets its expiry only when the number is new, atomically: two instances counting the same
 * customer's spend at once both land, and the period's counter keeps the expiry its first write gave it.
 */
const ADD_SCRIPT = `local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/**
 * `reserve` in one script, so instances reserving against one limit are serialized by Redis: when every key is
 * below its limit (ARGV: amount, limit or "none", ttl — per key), each is added to; else nothing changes.
 */
const RESERVE_SCRIPT = `for i, key in ipairs(KEYS) do
  local limit = ARGV[(i - 1) * 3 + 2]
  if limit ~= 'none' and tonumber(redis.call('GET', key) or '0') >= tonumber(limit) then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('INCRBYFLOAT', key, ARGV[(i - 1) * 3 + 1])
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[(i - 1) * 3 + 3]) end
end
return 1`;

/**
 * Gateway state in Redis, shared by every gateway and `keyway serve` instance pointed at it. A Redis that does
 * not answer fails the operation fast (no offline queue, one try) with a typed 503 rather than hanging calls.
 */
export function redisGatewayState(
  options: RedisGatewayStateOptions,
): GatewayState & { close(): Promise<void> } {
  const redis = new Redis(options.url, {
    keyPrefix: options.prefix ?? "keyway:",
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Reads issued together (every key of a pool's cooldown) go out as one round trip.
    enableAutoPipelining: true,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
  });
  // A dropped connection is reported through the commands that fail, not as an unhandled 'error' event.
  redis.on("error", () => undefined);
  let connecting: Promise<void> | undefined;
  const ready = () => {
    if (redis.status === "ready") return Promise.resolve();
    if (redis.status === "wait" || redis.status === "end") connecting ??= redis.connect();
    return (connecting ?? Promise.resolve()).finally(() => {
      connecting = undefined;
    });
  };
  async function run<T>(command: () => Promise<T>): Promise<T> {
    try {
      await ready();
      return await command();
    } catch (error) {
      throw new GatewayStateError(error);
    }
  }
  return {
    get: (key) => run(async () => (await redis.get(key)) ?? undefined),
    set: (key, value, ttlMs) =>
      run(async () => {
        await redis.set(key, value, "PX", Math.max(1, Math.ceil(ttlMs)));
      }),
    add: (key, amount, ttlMs) =>
      run(async () =>
        Number(await redis.eval(ADD_SCRIPT, 1, key, String(amount), String(Math.max(1, Math.ceil(ttlMs))))),
      ),
    reserve: (reservations) =>
      run(async () => {
        if (reservations.length === 0) return true;
        const args = reservations.flatMap(({ amount, limit, ttlMs }) => [
          String(amount),
          limit === undefined ? "none" : String(limit),
          String(Math.max(1, Math.ceil(ttlMs))),
        ]);
        const keys = reservations.map((reservation) => reservation.key);
        return Number(await redis.eval(RESERVE_SCRIPT, keys.length, ...keys, ...args)) === 1;
      }),
    async close() {
      if (redis.status !== "end" && redis.status !== "wait")
        await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
