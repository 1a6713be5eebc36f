import { type Budget, type BudgetDuration, ConfigError } from "@keyway/core";

export const alertKinds = ["error_rate", "p95_latency", "budget", "key_down", "ingest_rejected"] as const;
export type AlertKind = (typeof alertKinds)[number];

export interface AlertWebhook {
  /** A secret: never logged, never shown (the dashboard sees its host only). */
  url: string;
  format?: "json" | "slack";
}

/**
 * One rule of `alerts` in `keyway.config.json`. `threshold` is a share for `error_rate` (0.2 = 20 % of calls
 * failed) and `budget` (0.8 = 80 % of the budget spent), seconds for `p95_latency`, a count of keys for
 * `key_down` and of logs for `ingest_rejected`; a rule fires when its value reaches the threshold.
 */
export interface AlertRule {
  name: string;
  kind: AlertKind;
  threshold: number;
  /** The window `error_rate`, `p95_latency` and `ingest_rejected` look back over (default 300). */
  window_seconds?: number;
  /** `error_rate` / `p95_latency`: that customer's calls only; `budget`: that customer's configured budget. */
  customer?: string;
  /** `budget` without a customer: the whole gateway's budget, against the cost of every stored call. */
  budget?: Budget;
  /** `error_rate`: fewer calls than this in the window is too few to judge (default 1). */
  min_requests?: number;
  webhook: AlertWebhook;
  /** The least time between two firings of the rule (default 300). */
  min_interval_seconds?: number;
}

const durations: readonly BudgetDuration[] = ["daily", "weekly", "monthly", "yearly"];

function positive(value: unknown, where: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0) || (integer && !Number.isInteger(value)))
    throw new ConfigError(`${where} must be a ${integer ? "whole " : ""}number above 0.`);
  return value;
}

function checkWebhook(value: unknown, where: string): AlertWebhook {
  const given = value as Partial<AlertWebhook> | null;
  if (typeof given?.url !== "string") throw new ConfigError(`${where}.url must be the webhook's URL.`);
  let url: URL;
  try {
    url = new URL(given.url);
  } catch {
    // Never the URL itself: a webhook URL is a secret.
    throw new ConfigError(`${where}.url is not a URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ConfigError(`${where}.url must be http(s).`);
  if (given.format !== undefined && given.format !== "json" && given.format !== "slack")
    throw new ConfigError(`${where}.format must be "json" or "slack".`);
  return { url: given.url, ...(given.format ? { format: given.format } : {}) };
}

function checkBudget(rule: Partial<AlertRule>, where: string, budgets: Record<string, Budget>): void {
  if (rule.customer !== undefined) {
    if (rule.budget !== undefined)
      throw new ConfigError(`${where}: a customer's budget alert uses its configured budget; drop "budget".`);
    if (!budgets[rule.customer])
      throw new ConfigError(`${where}: customer "${rule.customer}" has no budget in "budgets".`);
    return;
  }
  const budget = rule.budget as Record<string, unknown> | undefined;
  if (!budget)
    throw new ConfigError(
      `${where}: give "customer" (a configured budget) or "budget" (the whole gateway's).`,
    );
  if (budget.period_budget !== undefined) {
    positive(budget.period_budget, `${where}.budget.period_budget`);
    if (!durations.includes(budget.budget_duration as BudgetDuration))
      throw new ConfigError(`${where}.budget.budget_duration must be one of ${durations.join(", ")}.`);
  } else if (positive(budget.total_budget, `${where}.budget.total_budget`) === undefined)
    throw new ConfigError(`${where}.budget needs period_budget with budget_duration, or total_budget.`);
}

/** The `alerts` of the config file checked: a rule that could never fire as written is a start-up error. */
export function checkAlertRules(value: unknown, budgets: Record<string, Budget> = {}): AlertRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError("alerts must be a list of rules.");
  const names = new Set<string>();
  return value.map((entry, index) => {
    const rule = (entry ?? {}) as Partial<AlertRule>;
    const where = `alerts[${index}]`;
    if (typeof rule.name !== "string" || !rule.name) throw new ConfigError(`${where}.name must be a name.`);
    if (names.has(rule.name)) throw new ConfigError(`${where}: two alerts are named "${rule.name}".`);
    names.add(rule.name);
    if (!alertKinds.includes(rule.kind as AlertKind))
      throw new ConfigError(`${where}.kind must be one of ${alertKinds.join(", ")}.`);
    if (typeof rule.threshold !== "number" || !(rule.threshold >= 0))
      throw new ConfigError(`${where}.threshold must be a number, 0 or more.`);
    if ((rule.kind === "error_rate" || rule.kind === "budget") && rule.threshold > 1)
      throw new ConfigError(`${where}.threshold is a share (0–1) for ${rule.kind}.`);
    positive(rule.window_seconds, `${where}.window_seconds`);
    positive(rule.min_interval_seconds, `${where}.min_interval_seconds`);
    positive(rule.min_requests, `${where}.min_requests`, true);
    if (rule.customer !== undefined && (typeof rule.customer !== "string" || !rule.customer))
      throw new ConfigError(`${where}.customer must be a customer id.`);
    if (rule.kind === "budget") checkBudget(rule, where, budgets);
    else if (rule.budget !== undefined) throw new ConfigError(`${where}.budget is for budget alerts only.`);
    return { ...rule, webhook: checkWebhook(rule.webhook, `${where}.webhook`) } as AlertRule;
  });
}
