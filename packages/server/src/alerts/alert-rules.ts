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
  /** A rule managed through the admin API or the dashboard has an id; the config file's have none. */
  id?: string;
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

/** Where a field is named in an error: `alerts[2].threshold` in the config file, `threshold` in the API. */
const at = (where: string, field: string) => (where ? `${where}.${field}` : field);
const lead = (where: string) => (where ? `${where}: ` : "");

const durations: readonly BudgetDuration[] = ["daily", "weekly", "monthly", "yearly"];

function positive(value: unknown, where: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0) || (integer && !Number.isInteger(value)))
    throw new ConfigError(`${where} must be a ${integer ? "whole " : ""}number above 0.`);
  return value;
}

function checkWebhook(value: unknown, where: string): AlertWebhook {
  const given = value as Partial<AlertWebhook> | null;
  const unknown = Object.keys(given ?? {}).find((key) => key !== "url" && key !== "format");
  if (unknown !== undefined)
    throw new ConfigError(`${where}.${unknown} is not a field of a webhook (url, format).`);
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
      throw new ConfigError(
        `${lead(where)}a customer's budget alert uses its configured budget; drop "budget".`,
      );
    if (!budgets[rule.customer])
      throw new ConfigError(`${lead(where)}customer "${rule.customer}" has no budget in "budgets".`);
    return;
  }
  const budget = rule.budget as Record<string, unknown> | undefined;
  if (!budget)
    throw new ConfigError(
      `${lead(where)}give "customer" (a configured budget) or "budget" (the whole gateway's).`,
    );
  if (budget.period_budget !== undefined) {
    positive(budget.period_budget, at(where, "budget.period_budget"));
    if (!durations.includes(budget.budget_duration as BudgetDuration))
      throw new ConfigError(`${at(where, "budget.budget_duration")} must be one of ${durations.join(", ")}.`);
  } else if (positive(budget.total_budget, at(where, "budget.total_budget")) === undefined)
    throw new ConfigError(
      `${at(where, "budget")} needs period_budget with budget_duration, or total_budget.`,
    );
}

const ruleFields = [
  "name",
  "kind",
  "threshold",
  "window_seconds",
  "customer",
  "budget",
  "min_requests",
  "webhook",
  "min_interval_seconds",
] as const;

/**
 * One rule checked, wherever it comes from (the config file, the admin API): a rule that could never fire as
 * written, or a field the rule does not know (a typo), is a `ConfigError` naming the field, never the URL.
 */
export function checkAlertRule(
  entry: unknown,
  where: string,
  budgets: Record<string, Budget> = {},
): AlertRule {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    throw new ConfigError(`${where || "The rule"} must be an object.`);
  const unknown = Object.keys(entry).find((key) => !(ruleFields as readonly string[]).includes(key));
  if (unknown !== undefined)
    throw new ConfigError(
      `${at(where, unknown)} is not a field of an alert rule (known: ${ruleFields.join(", ")}).`,
    );
  const rule = entry as Partial<AlertRule>;
  if (typeof rule.name !== "string" || !rule.name.trim() || rule.name.length > 100)
    throw new ConfigError(`${at(where, "name")} must be a name (at most 100 characters).`);
  if (!alertKinds.includes(rule.kind as AlertKind))
    throw new ConfigError(`${at(where, "kind")} must be one of ${alertKinds.join(", ")}.`);
  if (typeof rule.threshold !== "number" || !(rule.threshold >= 0) || !Number.isFinite(rule.threshold))
    throw new ConfigError(`${at(where, "threshold")} must be a number, 0 or more.`);
  if ((rule.kind === "error_rate" || rule.kind === "budget") && rule.threshold > 1)
    throw new ConfigError(`${at(where, "threshold")} is a share (0–1) for ${rule.kind}.`);
  positive(rule.window_seconds, at(where, "window_seconds"));
  positive(rule.min_interval_seconds, at(where, "min_interval_seconds"));
  positive(rule.min_requests, at(where, "min_requests"), true);
  if (rule.customer !== undefined && (typeof rule.customer !== "string" || !rule.customer))
    throw new ConfigError(`${at(where, "customer")} must be a customer id.`);
  if (rule.kind === "budget") checkBudget(rule, where, budgets);
  else if (rule.budget !== undefined)
    throw new ConfigError(`${at(where, "budget")} is for budget alerts only.`);
  return { ...rule, webhook: checkWebhook(rule.webhook, at(where, "webhook")) } as AlertRule;
}

/** The `alerts` of the config file checked: a start-up error names the rule by its place in the list. */
export function checkAlertRules(value: unknown, budgets: Record<string, Budget> = {}): AlertRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError("alerts must be a list of rules.");
  const names = new Set<string>();
  return value.map((entry, index) => {
    const rule = checkAlertRule(entry, `alerts[${index}]`, budgets);
    if (names.has(rule.name)) throw new ConfigError(`alerts[${index}]: two alerts are named "${rule.name}".`);
    names.add(rule.name);
    return rule;
  });
}
