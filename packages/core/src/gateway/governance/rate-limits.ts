import { ConfigError } from "../../errors/errors.js";
import { hasErrorMark, KeywayError, markError } from "../../errors/keyway-error.js";
import type { RequestLog } from "../../log/request-log.js";
import type { GatewayState } from "./gateway-state.js";

/** A limit per minute; either or both. */
export interface RateLimit {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** Rate limits from config: per customer (`customer_identifier`) and per API key the caller presented. */
export interface RateLimits {
  perCustomer?: RateLimit;
  perApiKey?: RateLimit;
}

/** Who a call counts against: its customer and the fingerprint of the key it presented (never the key). */
export interface RateSubject {
  customer?: string | undefined;
  apiKey?: string | undefined;
  /** A managed key's own limit, counted under its id (beside any `perApiKey` limit of the config). */
  keyLimit?: { id: string; limit: RateLimit } | undefined;
}

const WINDOW_MS = 60_000;

/** Over a rate limit: 429 with `Retry-After` (seconds to the next window), before any upstream call. */
export class RateLimitExceededError extends KeywayError {
  static override isInstance(error: unknown): error is RateLimitExceededError {
    return hasErrorMark(error, "RateLimitExceededError");
  }

  readonly retryAfterSeconds: number;
  constructor(what: string, retryAfterSeconds: number) {
    super("rate_limit_exceeded", `Rate limit reached: ${what}. Retry in ${retryAfterSeconds} s.`, {
      statusCode: 429,
      headers: { "retry-after": String(retryAfterSeconds) },
    });
    this.name = "RateLimitExceededError";
    markError(this, "RateLimitExceededError");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function checkLimits(limits: RateLimits): void {
  for (const [scope, limit] of Object.entries(limits))
    for (const [name, value] of Object.entries(limit ?? {}))
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
        throw new ConfigError(
          `rateLimits.${scope}.${name} must be a whole number of 1 or more, got ${value}.`,
        );
}

/**
 * Fixed one-minute windows on `GatewayState`, so every instance sharing it shares the counts. A request is
 * counted (atomically) when it arrives and refused past `requestsPerMinute`; tokens are counted from the call's
 * log, and a subject already at `tokensPerMinute` is refused until the window turns.
 */
export class RateLimiter {
  constructor(
    private readonly state: GatewayState,
    private readonly limits: RateLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    checkLimits(limits);
  }

  /** Whether any limit counts per API key: only then is the caller's key fingerprinted. */
  get countsApiKeys(): boolean {
    return this.limits.perApiKey !== undefined;
  }

  #scopes(subject: RateSubject): { name: string; id: string; limit: RateLimit }[] {
    const scopes = [];
    if (subject.customer && this.limits.perCustomer)
      scopes.push({ name: "customer", id: subject.customer, limit: this.limits.perCustomer });
    if (subject.apiKey && this.limits.perApiKey)
      scopes.push({ name: "api key", id: subject.apiKey, limit: this.limits.perApiKey });
    if (subject.keyLimit)
      scopes.push({ name: "key", id: subject.keyLimit.id, limit: subject.keyLimit.limit });
    return scopes;
  }

  #window(): { start: number; retryAfterSeconds: number; ttlMs: number } {
    const at = this.now();
    const start = at - (at % WINDOW_MS);
    return {
      start,
      ttlMs: start + WINDOW_MS - at,
      retryAfterSeconds: Math.max(1, Math.ceil((start + WINDOW_MS - at) / 1000)),
    };
  }

  /**
   * Refuses a subject at a limit, else reserves the call against every limit at once — a request, and its
   * estimated tokens — atomically on the shared state, so concurrent calls pass a limit by at most one call.
   */
  async admit(subject: RateSubject, estimateTokens: () => number): Promise<RateHold | undefined> {
    const window = this.#window();
    const scopes = this.#scopes(subject);
    if (scopes.length === 0) return undefined;
    const estimatedTokens = scopes.some((scope) => scope.limit.tokensPerMinute !== undefined)
      ? estimateTokens()
      : 0;
    const counters = scopes.flatMap((scope) => {
      const key = (kind: string) => `rate:${kind}:${window.start}:${scope.name}:${scope.id}`;
      const { requestsPerMinute, tokensPerMinute } = scope.limit;
      return [
        ...(requestsPerMinute !== undefined
          ? [
              {
                key: key("requests"),
                amount: 1,
                limit: requestsPerMinute,
                ttlMs: window.ttlMs,
                scope,
                what: "requests",
              },
            ]
          : []),
        ...(tokensPerMinute !== undefined
          ? [
              {
                key: key("tokens"),
                amount: estimatedTokens,
                limit: tokensPerMinute,
                ttlMs: window.ttlMs,
                scope,
                what: "tokens",
              },
            ]
          : []),
      ];
    });
    if (await this.state.reserve(counters)) {
      const tokens = counters.filter((counter) => counter.what === "tokens");
      return { keys: tokens.map(({ key, ttlMs }) => ({ key, ttlMs })), tokens: estimatedTokens };
    }
    for (const counter of counters)
      if (Number((await this.state.get(counter.key)) ?? 0) >= counter.limit)
        throw new RateLimitExceededError(
          `${counter.limit} ${counter.what} per minute per ${counter.scope.name}`,
          window.retryAfterSeconds,
        );
    throw new RateLimitExceededError("a limit per minute", window.retryAfterSeconds);
  }

  /** Counts a logged call's tokens against its subjects' window: with a hold, the difference to what it reserved. */
  async count(log: RequestLog, subject: RateSubject, hold?: RateHold): Promise<void> {
    const tokens = (log.prompt_tokens ?? 0) + (log.completion_tokens ?? 0) - (hold?.tokens ?? 0);
    if (tokens === 0) return;
    const window = this.#window();
    const counters =
      hold?.keys ??
      this.#scopes(subject)
        .filter((scope) => scope.limit.tokensPerMinute !== undefined)
        .map((scope) => ({
          key: `rate:tokens:${window.start}:${scope.name}:${scope.id}`,
          ttlMs: window.ttlMs,
        }));
    await Promise.all(counters.map(({ key, ttlMs }) => this.state.add(key, tokens, ttlMs)));
  }
}

/** What a call reserved against its rate windows' token limits: settled to the actual tokens when it is logged. */
export interface RateHold {
  keys: readonly { key: string; ttlMs: number }[];
  tokens: number;
}
