import { fingerprintKey } from "../../credentials/fingerprint.js";
import type { CustomerParams, RequestLog } from "../../log/request-log.js";
import { type Budget, type BudgetHold, Budgets, type BudgetUsage, budgetOf } from "./budgets.js";
import type { GatewayState } from "./gateway-state.js";
import {
  type RateHold,
  type RateLimit,
  RateLimiter,
  type RateLimits,
  type RateSubject,
} from "./rate-limits.js";

/**
 * Limits of the key a caller presented (a managed API key's): the models it may call, its own budget and rate
 * limits, counted under its `id` on every instance sharing the state.
 */
export interface CallerLimits {
  id: string;
  /** For messages: the key's name. */
  name?: string;
  allowedModels?: readonly string[];
  budget?: Budget;
  rateLimit?: RateLimit;
}

/** What a call is expected to spend, reserved before it runs. */
export interface CallEstimate {
  cost: number;
  tokens: number;
}

/** Who a call counts against, and what it reserved. */
export interface GovernedCall extends RateSubject {
  budget?: BudgetHold | undefined;
  /** What the caller's key reserved against its own budget, and the key. */
  keyBudget?: { hold: BudgetHold; id: string } | undefined;
  rate?: RateHold | undefined;
}

/**
 * Who may call and how much: customer budgets and rate limits, on one `GatewayState`. `admit` runs before any
 * upstream call and refuses with a 429; `settle` counts a logged call's cost and tokens.
 */
export class Governance {
  readonly #budgets: Budgets;
  readonly #keyBudgets: Budgets;
  readonly #rates: RateLimiter;

  constructor(state: GatewayState, config: { budgets?: Record<string, Budget>; rateLimits?: RateLimits }) {
    this.#budgets = new Budgets(state, config.budgets);
    this.#keyBudgets = new Budgets(state, {}, undefined, {
      prefix: "keyspend",
      label: (id) => `API key "${id}"`,
    });
    this.#rates = new RateLimiter(state, config.rateLimits);
  }

  /**
   * Refuses a call over budget or rate limit, else reserves its estimate against each (settled to the actual
   * when it is logged); what it counts against, for `settle`.
   */
  async admit(
    customer: CustomerParams | undefined,
    apiKey: string | undefined,
    estimateOf: () => CallEstimate = () => ({ cost: 0, tokens: 0 }),
    limits?: CallerLimits,
  ): Promise<GovernedCall> {
    let estimated: CallEstimate | undefined;
    // Estimated only when a budget or a limit will reserve it.
    const estimate = () => {
      estimated ??= estimateOf();
      return estimated;
    };
    const subject: GovernedCall = {
      customer: customer?.customer_identifier,
      // A hash per request only when a per-key limit will read it.
      apiKey: apiKey && this.#rates.countsApiKeys ? fingerprintKey(apiKey) : undefined,
      ...(limits?.rateLimit ? { keyLimit: { id: limits.id, limit: limits.rateLimit } } : {}),
    };
    subject.budget = await this.#budgets.reserve(subject.customer, budgetOf(customer), () => estimate().cost);
    try {
      if (limits?.budget) {
        const hold = await this.#keyBudgets.reserve(limits.id, limits.budget, () => estimate().cost);
        if (hold) subject.keyBudget = { hold, id: limits.id };
      }
      subject.rate = await this.#rates.admit(subject, () => estimate().tokens);
    } catch (error) {
      // Refused by the key's budget or a rate limit: what the budgets reserved is given back.
      await this.settle({ cost: 0 } as RequestLog, { ...subject, rate: undefined });
      throw error;
    }
    return subject;
  }

  budgetUsage(): Promise<BudgetUsage[]> {
    return this.#budgets.usage();
  }

  /** Counts a logged call (or gives back a call that never ran: a log of no cost and no tokens). */
  settle(log: RequestLog, subject: GovernedCall): Promise<unknown> {
    return Promise.all([
      this.#budgets.spend(log, subject.budget),
      subject.keyBudget
        ? this.#keyBudgets.spend(log, subject.keyBudget.hold, subject.keyBudget.id)
        : undefined,
      this.#rates.count(log, subject, subject.rate),
    ]);
  }
}
