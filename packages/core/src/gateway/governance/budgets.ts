import { InvalidRequestError } from "../../errors/errors.js";
import { hasErrorMark, KeywayError, markError } from "../../errors/keyway-error.js";
import type { CustomerParams, RequestLog } from "../../log/request-log.js";
import { type GatewayState, LIFETIME_TTL_MS } from "./gateway-state.js";

export type BudgetDuration = "daily" | "weekly" | "monthly" | "yearly";

/** Respan's customer budget (USD): a limit per period, a limit over all time, or both. */
export interface Budget {
  budget_duration?: BudgetDuration;
  period_budget?: number;
  total_budget?: number;
}

/** A configured budget and the spend counted against it (USD): all time, and in the current period if it has one. */
export interface BudgetUsage {
  customer: string;
  budget: Budget;
  spent_total: number;
  spent_period?: number;
}

const durations: readonly BudgetDuration[] = ["daily", "weekly", "monthly", "yearly"];

/** The UTC start of the period `at` falls in, and the period's length (for the counter's expiry). */
export function budgetPeriod(duration: BudgetDuration, at: Date): { start: number; ms: number } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  if (duration === "daily") return { start: Date.UTC(y, m, d), ms: 86_400_000 };
  if (duration === "weekly") {
    const monday = Date.UTC(y, m, d - ((at.getUTCDay() + 6) % 7));
    return { start: monday, ms: 7 * 86_400_000 };
  }
  if (duration === "monthly")
    return { start: Date.UTC(y, m, 1), ms: Date.UTC(y, m + 1, 1) - Date.UTC(y, m, 1) };
  return { start: Date.UTC(y, 0, 1), ms: Date.UTC(y + 1, 0, 1) - Date.UTC(y, 0, 1) };
}

/** A customer over budget: refused before any upstream call. */
export class BudgetExceededError extends KeywayError {
  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasErrorMark(error, "BudgetExceededError");
  }

  constructor(customer: string, what: string, who = `Customer "${customer}"`) {
    super("budget_exceeded", `${who} is over ${what}; the request was not sent.`, {
      statusCode: 429,
    });
    this.name = "BudgetExceededError";
    markError(this, "BudgetExceededError");
  }
}

/** The budget a request carries in `customer_params`, checked: a 400 naming the field when it is malformed. */
export function budgetOf(customer: CustomerParams | undefined): Budget | undefined {
  if (!customer) return undefined;
  const { budget_duration, period_budget, total_budget } = customer as Record<string, unknown>;
  if (budget_duration === undefined && period_budget === undefined && total_budget === undefined)
    return undefined;
  const field = (name: string) => `customer_params.${name}`;
  if (budget_duration !== undefined && !durations.includes(budget_duration as BudgetDuration))
    throw new InvalidRequestError(`${field("budget_duration")} must be one of ${durations.join(", ")}`, {
      field: field("budget_duration"),
    });
  for (const [name, value] of [
    ["period_budget", period_budget],
    ["total_budget", total_budget],
  ] as const)
    if (value !== undefined && (typeof value !== "number" || !(value >= 0)))
      throw new InvalidRequestError(`${field(name)} must be a number of USD, 0 or more`, {
        field: field(name),
      });
  if (period_budget !== undefined && budget_duration === undefined)
    throw new InvalidRequestError(`${field("period_budget")} needs ${field("budget_duration")}`, {
      field: field("budget_duration"),
    });
  return customer as Budget;
}

/**
 * Customer budgets on `GatewayState`: spend is the logged cost of the customer's gateway calls, counted per period
 * and over all time; a customer at or over a limit is refused (429 `budget_exceeded`) before any upstream call.
 */
export class Budgets {
  constructor(
    private readonly state: GatewayState,
    private readonly configured: Record<string, Budget> = {},
    private readonly now: () => Date = () => new Date(),
    /** Whose budgets these are: customers' (`spend:` counters), or API keys' (`keyspend:`). */
    private readonly subject: { prefix: string; label: (id: string) => string } = {
      prefix: "spend",
      label: (id) => `Customer "${id}"`,
    },
  ) {}

  readonly #pending = new Map<string, Promise<void>>();

  #totalKey(customer: string): string {
    return `${this.subject.prefix}:total:${customer}`;
  }

  /** The counter of the period `now` falls in, and how long it has left (its expiry). */
  #periodKey(customer: string, duration: BudgetDuration): { key: string; ms: number } {
    const at = this.now();
    const { start, ms } = budgetPeriod(duration, at);
    return { key: `${this.subject.prefix}:${duration}:${start}:${customer}`, ms: start + ms - at.getTime() };
  }

  /** What a customer has spent, all time and (when the budget has a period) in the current period. */
  async #spent(customer: string, budget: Budget): Promise<{ total: number; period?: number }> {
    const duration = budget.budget_duration;
    const [total, period] = await Promise.all([
      this.state.get(this.#totalKey(customer)),
      duration ? this.state.get(this.#periodKey(customer, duration).key) : undefined,
    ]);
    return { total: Number(total ?? 0), ...(duration ? { period: Number(period ?? 0) } : {}) };
  }

  /** The spend counters of a customer now: all time, and the current period of every duration. */
  #counters(customer: string): { key: string; ttlMs: number; duration?: BudgetDuration }[] {
    return [
      { key: this.#totalKey(customer), ttlMs: LIFETIME_TTL_MS },
      ...durations.map((duration) => {
        const { key, ms } = this.#periodKey(customer, duration);
        return { key, ttlMs: ms, duration };
      }),
    ];
  }

  /**
   * Refuses a customer at or over a budget, else reserves the call's estimated cost against it, atomically (on a
   * shared state, across instances), so concurrent calls overspend by at most one estimate. The configured budget
   * is a ceiling: a request's own `customer_params` budget is checked too, so it can only lower it.
   */
  async reserve(
    customer: string | undefined,
    requested: Budget | undefined,
    estimateOf: () => number,
  ): Promise<BudgetHold | undefined> {
    if (!customer) return undefined;
    const budgets = [this.configured[customer], requested].filter(
      (budget): budget is Budget => budget !== undefined,
    );
    if (budgets.length === 0) return undefined;
    await this.#pending.get(customer)?.catch(() => undefined);
    const estimate = estimateOf();
    const lowest = (values: (number | undefined)[]) => {
      const set = values.filter((value): value is number => value !== undefined);
      return set.length > 0 ? Math.min(...set) : undefined;
    };
    const counters = this.#counters(customer).map((counter) => ({
      ...counter,
      amount: estimate,
      limit: counter.duration
        ? lowest(
            budgets.map((budget) =>
              budget.budget_duration === counter.duration ? budget.period_budget : undefined,
            ),
          )
        : lowest(budgets.map((budget) => budget.total_budget)),
    }));
    if (await this.state.reserve(counters)) return { keys: counters, amount: estimate };
    for (const counter of counters) {
      if (counter.limit === undefined || Number((await this.state.get(counter.key)) ?? 0) < counter.limit)
        continue;
      throw new BudgetExceededError(
        customer,
        counter.duration
          ? `its ${counter.duration} budget of $${counter.limit}`
          : `its total budget of $${counter.limit}`,
        this.subject.label(customer),
      );
    }
    throw new BudgetExceededError(customer, "its budget", this.subject.label(customer));
  }

  /** What each customer with a configured budget has spent against it, as the checks see it. */
  async usage(): Promise<BudgetUsage[]> {
    return Promise.all(
      Object.entries(this.configured).map(async ([customer, budget]) => {
        const spent = await this.#spent(customer, budget);
        return {
          customer,
          budget,
          spent_total: spent.total,
          ...(spent.period !== undefined ? { spent_period: spent.period } : {}),
        };
      }),
    );
  }

  /**
   * Counts a logged call's cost against its customer, every period a budget may ask about and all time: with a
   * hold, the difference to what was reserved, on the counters reserved (a call spanning midnight settles in the
   * period it was admitted to).
   */
  spend(
    log: RequestLog,
    hold?: BudgetHold,
    customer: string | undefined = log.customer_params?.customer_identifier,
  ): Promise<void> {
    const cost = log.cost ?? 0;
    const amount = Math.max(cost, 0) - (hold?.amount ?? 0);
    if ((!customer && !hold) || amount === 0) return Promise.resolve();
    const counters = hold?.keys ?? this.#counters(customer as string);
    // All counters move together, and the customer's next check waits for them: a call answered before its
    // cost is counted must not let the next one through on a stale total.
    const counted = Promise.all(counters.map(({ key, ttlMs }) => this.state.add(key, amount, ttlMs))).then(
      () => undefined,
    );
    const who = customer ?? "";
    const pending = (this.#pending.get(who) ?? Promise.resolve()).then(() => counted);
    this.#pending.set(who, pending);
    const settle = () => {
      if (this.#pending.get(who) === pending) this.#pending.delete(who);
    };
    pending.then(settle, settle);
    return pending;
  }
}

/** What a call reserved against its customer's budget: settled to the actual cost when it is logged. */
export interface BudgetHold {
  keys: readonly { key: string; ttlMs: number }[];
  amount: number;
}
