import { ConfigError } from "../errors/errors.js";
import { hasErrorMark, KeywayError, markError } from "../errors/keyway-error.js";
import type { RequestLog } from "../log/request-log.js";
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

  async admit(subject: RateSubject): Promise<void> {
    const window = this.#window();
    for (const scope of this.#scopes(subject)) {
      const key = (kind: string) => `rate:${kind}:${window.start}:${scope.name}:${scope.id}`;
      const { requestsPerMinute, tokensPerMinute } = scope.limit;
      if (
        tokensPerMinute !== undefined &&
        Number((await this.state.get(key("tokens"))) ?? 0) >= tokensPerMinute
      )
        throw new RateLimitExceededError(
          `${tokensPerMinute} tokens per minute per ${scope.name}`,
          window.retryAfterSeconds,
        );
      if (
        requestsPerMinute !== undefined &&
        (await this.state.add(key("requests"), 1, window.ttlMs)) > requestsPerMinute
      )
        throw new RateLimitExceededError(
          `${requestsPerMinute} requests per minute per ${scope.name}`,
          window.retryAfterSeconds,
        );
    }
  }

  /** Counts a logged call's tokens against its subjects' current window. */
  async count(log: RequestLog, subject: RateSubject): Promise<void> {
    const tokens = (log.prompt_tokens ?? 0) + (log.completion_tokens ?? 0);
    if (!(tokens > 0)) return;
    const window = this.#window();
    await Promise.all(
      this.#scopes(subject)
        .filter((scope) => scope.limit.tokensPerMinute !== undefined)
        .map((scope) =>
          this.state.add(`rate:tokens:${window.start}:${scope.name}:${scope.id}`, tokens, window.ttlMs),
        ),
    );
  }
}
