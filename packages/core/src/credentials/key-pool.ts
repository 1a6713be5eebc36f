import { fingerprintKey } from "./fingerprint.js";
import { weightedChoice } from "./weighted-choice.js";

export interface CooldownPolicy {
  /** Cooldown after a 429 without `Retry-After`. */
  rateLimitMs: number;
  /** Cooldown after 401/403: the key is probably wrong or revoked. */
  authMs: number;
  /** Cooldown after `serverErrorThreshold` consecutive 5xx. */
  serverErrorMs: number;
  serverErrorThreshold: number;
}

export const defaultCooldownPolicy: CooldownPolicy = {
  rateLimitMs: 10_000,
  authMs: 300_000,
  serverErrorMs: 15_000,
  serverErrorThreshold: 2,
};

/** What `gateway.keyHealth()` shows of one key: never the key itself. */
export interface KeyHealth {
  provider: string;
  keyId: string;
  weight: number;
  healthy: boolean;
  cooldownUntil: number | undefined;
  lastStatus: number | undefined;
  consecutiveFailures: number;
  requests: number;
  failures: number;
}

interface PoolKey {
  apiKey: string;
  /** Its own endpoint (one Azure resource of a pool of them). */
  baseURL?: string;
  health: KeyHealth;
  consecutiveServerErrors: number;
}

export interface PickedKey {
  apiKey: string;
  baseURL?: string;
  keyId: string;
}

/**
 * One provider's configured keys: weighted choice among healthy keys, and per-key cooldown after 429 (for
 * `Retry-After`), 401/403, or repeated 5xx. When every key is cooling down, the one that recovers first is used.
 */
export class KeyPool {
  readonly #keys: PoolKey[];
  /** Told of every cooldown this pool starts: how instances sharing state learn of it. */
  onCooldown: ((keyId: string, until: number) => void) | undefined;

  constructor(
    readonly provider: string,
    keys: readonly { apiKey: string; weight?: number; baseURL?: string }[],
    private readonly policy: CooldownPolicy = defaultCooldownPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.#keys = keys.map(({ apiKey, weight = 1, baseURL }) => ({
      apiKey,
      ...(baseURL ? { baseURL: baseURL.replace(/\/+$/, "") } : {}),
      consecutiveServerErrors: 0,
      health: {
        provider,
        keyId: fingerprintKey(apiKey),
        weight,
        healthy: true,
        cooldownUntil: undefined,
        lastStatus: undefined,
        consecutiveFailures: 0,
        requests: 0,
        failures: 0,
      },
    }));
  }

  get size(): number {
    return this.#keys.length;
  }

  #isHealthy(key: PoolKey, at: number): boolean {
    return key.health.cooldownUntil === undefined || key.health.cooldownUntil <= at;
  }

  /** A key for the next attempt, avoiding `exclude` (key ids already tried in this call) when possible. */
  pick(random: () => number, exclude: ReadonlySet<string> = new Set()): PickedKey | undefined {
    const at = this.now();
    const fresh = this.#keys.filter((key) => !exclude.has(key.health.keyId));
    const candidates = fresh.length > 0 ? fresh : this.#keys;
    const healthy = candidates.filter((key) => this.#isHealthy(key, at));
    const chosen =
      weightedChoice(
        healthy.map((key) => ({ key, weight: key.health.weight })),
        random,
      )?.key ??
      [...candidates].sort((a, b) => (a.health.cooldownUntil ?? 0) - (b.health.cooldownUntil ?? 0))[0];
    return chosen
      ? {
          apiKey: chosen.apiKey,
          keyId: chosen.health.keyId,
          ...(chosen.baseURL ? { baseURL: chosen.baseURL } : {}),
        }
      : undefined;
  }

  /** Records how an attempt with a key ended: a status (0 for a network error or timeout). */
  report(keyId: string, status: number, retryAfterMs?: number): void {
    const key = this.#keys.find((candidate) => candidate.health.keyId === keyId);
    if (!key) return;
    const health = key.health;
    health.requests++;
    health.lastStatus = status;
    const serverError = status >= 500 || status === 0;
    key.consecutiveServerErrors = serverError ? key.consecutiveServerErrors + 1 : 0;
    if (status >= 200 && status < 400) {
      health.consecutiveFailures = 0;
      health.cooldownUntil = undefined;
      return;
    }
    health.failures++;
    health.consecutiveFailures++;
    const at = this.now();
    if (status === 429) health.cooldownUntil = at + (retryAfterMs ?? this.policy.rateLimitMs);
    else if (status === 401 || status === 403) health.cooldownUntil = at + this.policy.authMs;
    else if (serverError && key.consecutiveServerErrors >= this.policy.serverErrorThreshold) {
      health.cooldownUntil = at + this.policy.serverErrorMs;
    }
    if (health.cooldownUntil !== undefined && health.cooldownUntil > at)
      this.onCooldown?.(keyId, health.cooldownUntil);
  }

  keyIds(): string[] {
    return this.#keys.map((key) => key.health.keyId);
  }

  /** A cooldown another instance started: kept when it ends later than the one this pool knows. */
  adopt(keyId: string, until: number): void {
    const key = this.#keys.find((candidate) => candidate.health.keyId === keyId);
    if (key && until > (key.health.cooldownUntil ?? 0)) key.health.cooldownUntil = until;
  }

  health(): KeyHealth[] {
    const at = this.now();
    return this.#keys.map((key) => {
      const healthy = this.#isHealthy(key, at);
      return { ...key.health, healthy, cooldownUntil: healthy ? undefined : key.health.cooldownUntil };
    });
  }
}
