import { fingerprintKey } from "../credentials/fingerprint.js";
import type { CustomerParams, RequestLog } from "../log/request-log.js";
import { type Budget, Budgets, type BudgetUsage, budgetOf } from "./budgets.js";
import type { GatewayState } from "./gateway-state.js";
import { RateLimiter, type RateLimits, type RateSubject } from "./rate-limits.js";

/**
 * Who may call and how much: customer budgets and rate limits, on one `GatewayState`. `admit` runs before any
 * upstream call and refuses with a 429; `settle` counts a logged call's cost and tokens.
 */
export class Governance {
  readonly #budgets: Budgets;
  readonly #rates: RateLimiter;

  constructor(state: GatewayState, config: { budgets?: Record<string, Budget>; rateLimits?: RateLimits }) {
    this.#budgets = new Budgets(state, config.budgets);
    this.#rates = new RateLimiter(state, config.rateLimits);
  }

  /** Refuses a call over budget or rate limit; what it counts against, for `settle`. */
  async admit(customer: CustomerParams | undefined, apiKey: string | undefined): Promise<RateSubject> {
    const subject: RateSubject = {
      customer: customer?.customer_identifier,
      // A hash per request only when a per-key limit will read it.
      apiKey: apiKey && this.#rates.countsApiKeys ? fingerprintKey(apiKey) : undefined,
    };
    await this.#budgets.check(subject.customer, budgetOf(customer));
    await this.#rates.admit(subject);
    return subject;
  }

  budgetUsage(): Promise<BudgetUsage[]> {
    return this.#budgets.usage();
  }

  settle(log: RequestLog, subject: RateSubject): Promise<unknown> {
    return Promise.all([this.#budgets.spend(log), this.#rates.count(log, subject)]);
  }
}
