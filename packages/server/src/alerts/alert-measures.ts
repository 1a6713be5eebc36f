import { type Budget, budgetPeriod, type Gateway } from "@keyway/core";
import type { LogStore } from "../store/log-store.js";
import type { Measure } from "./alert-decision.js";
import type { AlertRule } from "./alert-rules.js";
import type { InstanceSignals } from "./alert-store.js";
import { rejectedSince } from "./instance-signals.js";

const DEFAULT_WINDOW_S = 300;

export interface MeasureContext {
  logs: LogStore;
  gateway: Gateway;
  /** Every instance's last report; `fresh` are those reported recently enough to speak for now. */
  signals: readonly InstanceSignals[];
  fresh: readonly InstanceSignals[];
  now: number;
}

/** The share of a budget spent, and the period it is spent in (`total` for an all-time budget). */
function shareOf(budget: Budget, spent: (from?: number) => Promise<number>, now: number): Promise<Measure> {
  const duration = budget.budget_duration;
  if (duration && typeof budget.period_budget === "number") {
    const { start } = budgetPeriod(duration, new Date(now));
    return spent(start).then((usd) => ({
      value: usd / budget.period_budget!,
      period: `${duration}:${start}`,
    }));
  }
  return spent().then((usd) => ({
    value: usd / (budget.total_budget ?? Number.POSITIVE_INFINITY),
    period: "total",
  }));
}

async function budgetMeasure(rule: AlertRule, context: MeasureContext): Promise<Measure> {
  if (rule.budget)
    // The whole gateway: what every stored call cost, from the store all instances write to.
    return shareOf(
      rule.budget,
      async (from) =>
        (await context.logs.metrics({ ...(from !== undefined ? { from } : {}), to: context.now }, "none"))
          .summary.cost,
      context.now,
    );
  // A customer: its spend as the budget check counts it (shared through Redis when several instances run).
  const usage = (await context.gateway.usage()).budgets.find((entry) => entry.customer === rule.customer);
  if (!usage) return { value: 0 };
  const counted = (from?: number) =>
    Promise.resolve(from === undefined ? usage.spent_total : (usage.spent_period ?? 0));
  const { budget_duration, period_budget, total_budget } = usage.budget;
  const parts: Budget[] = [
    ...(period_budget !== undefined ? [{ budget_duration, period_budget } as Budget] : []),
    ...(total_budget !== undefined ? [{ total_budget }] : []),
  ];
  const measures = await Promise.all(parts.map((budget) => shareOf(budget, counted, context.now)));
  return measures.reduce((high, next) => (next.value > high.value ? next : high), { value: 0 } as Measure);
}

/** What a rule looks at, now: every instance's traffic (the store, the instances' reports), never one's alone. */
export async function measureRule(rule: AlertRule, context: MeasureContext): Promise<Measure> {
  const from = context.now - (rule.window_seconds ?? DEFAULT_WINDOW_S) * 1000;
  const calls = {
    from,
    to: context.now,
    modelCalls: true,
    ...(rule.customer ? { customer: rule.customer } : {}),
  };
  switch (rule.kind) {
    case "error_rate": {
      const { summary } = await context.logs.metrics(calls, "none");
      return { value: summary.count >= (rule.min_requests ?? 1) ? summary.errors / summary.count : 0 };
    }
    case "p95_latency":
      return { value: (await context.logs.metrics(calls, "none")).summary.latency.p95 ?? 0 };
    case "budget":
      return budgetMeasure(rule, context);
    case "key_down":
      return { value: new Set(context.fresh.flatMap((signal) => signal.keys_down)).size };
    case "ingest_rejected":
      return { value: rejectedSince(context.signals, from) };
  }
}
