import type { AlertRule } from "./alert-rules.js";

/** Where a rule stands, kept in the store so every instance (and the next lease holder) sees the same. */
export interface AlertState {
  name: string;
  state: "ok" | "firing";
  /** The last value measured, and when. */
  value: number;
  checked_at: number;
  /** When the rule entered its state. */
  since: number;
  last_fired_at?: number;
  /** A budget rule: the budget period its last firing was in (it fires once per period). */
  period?: string;
}

/** What one evaluation of a rule measured: its value, and for a budget the period that value is spent in. */
export interface Measure {
  value: number;
  period?: string;
}

export interface Decision {
  next: AlertState;
  /** The message to send: a rule starting to fire, or one that fired going back to normal. */
  send?: "firing" | "resolved";
}

const DEFAULT_MIN_INTERVAL_S = 300;

/**
 * The next state of a rule from what was measured. A rule fires when its value reaches the threshold, at most
 * once per `min_interval_seconds` (a breach sooner than that waits, and fires if it lasts), and once per budget
 * period; a firing rule sends "resolved" when its value falls back (a budget rule: when its period ends), then
 * may fire again.
 */
export function decide(
  rule: AlertRule,
  previous: AlertState | undefined,
  measure: Measure,
  now: number,
): Decision {
  const was = previous ?? { name: rule.name, state: "ok" as const, value: 0, checked_at: now, since: now };
  const breached = measure.value >= rule.threshold;
  const seen = { ...was, value: measure.value, checked_at: now };
  if (was.state === "firing") {
    // Spend does not go back within a period (what seems to is a call's reservation settling lower): a budget
    // rule stays firing until its period ends.
    if (rule.kind === "budget") {
      if (measure.period === was.period) return { next: seen };
    } else if (breached) return { next: seen };
    return { next: { ...seen, state: "ok", since: now }, send: "resolved" };
  }
  if (!breached) return { next: seen };
  if (rule.kind === "budget" && was.period !== undefined && was.period === measure.period)
    return { next: seen };
  const minIntervalMs = (rule.min_interval_seconds ?? DEFAULT_MIN_INTERVAL_S) * 1000;
  if (was.last_fired_at !== undefined && now - was.last_fired_at < minIntervalMs) return { next: seen };
  return {
    next: {
      ...seen,
      state: "firing",
      since: now,
      last_fired_at: now,
      ...(measure.period !== undefined ? { period: measure.period } : {}),
    },
    send: "firing",
  };
}
