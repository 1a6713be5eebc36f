import { Counter, Gauge, type Registry } from "prom-client";
import type { KeyHealth } from "../credentials/key-pool.js";
import type { BudgetUsage } from "../gateway/governance/budgets.js";
import type { LogSink, SinkCounters } from "../transport/log-sink.js";

/** What the scrape reads of a gateway: its keys' health and its budgets' spend. */
export interface MetricSource {
  keyHealth(): KeyHealth[];
  usage(): Promise<{ budgets: BudgetUsage[] }>;
}

/**
 * The series read from their owners when Prometheus scrapes (never kept twice): each pooled key up or cooled
 * down, each configured budget's remaining USD, each watched sink's delivery counters.
 */
export function watchedGauges(
  registry: Registry,
  sources: ReadonlySet<MetricSource>,
  sinks: ReadonlySet<LogSink & { readonly counters?: SinkCounters }>,
): void {
  const registers = [registry];
  new Gauge({
    name: "keyway_key_up",
    help: "1 while a pooled provider key takes calls, 0 while it is cooled down (key: its fingerprint).",
    labelNames: ["provider", "key"],
    registers,
    collect() {
      this.reset();
      for (const source of sources)
        for (const key of source.keyHealth())
          this.set({ provider: key.provider, key: key.keyId }, key.healthy ? 1 : 0);
    },
  });
  new Gauge({
    name: "keyway_budget_remaining_usd",
    help: "What is left of each configured customer budget (window: total or the current period).",
    labelNames: ["customer", "window"],
    registers,
    async collect() {
      this.reset();
      for (const source of sources) {
        for (const usage of (await source.usage()).budgets) {
          const { budget } = usage;
          if (typeof budget.total_budget === "number")
            this.set({ customer: usage.customer, window: "total" }, budget.total_budget - usage.spent_total);
          if (typeof budget.period_budget === "number")
            this.set(
              { customer: usage.customer, window: budget.budget_duration ?? "period" },
              budget.period_budget - (usage.spent_period ?? 0),
            );
        }
      }
    },
  });
  new Counter({
    name: "keyway_sink_logs_total",
    help: "Logs through this process's sinks, by what became of them.",
    labelNames: ["event"],
    registers,
    collect() {
      this.reset();
      for (const sink of sinks) {
        if (!sink.counters) continue;
        for (const [event, value] of Object.entries(sink.counters)) this.inc({ event }, value);
      }
    },
  });
}
