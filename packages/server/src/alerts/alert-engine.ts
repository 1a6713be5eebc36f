import { randomUUID } from "node:crypto";
import type { Gateway } from "@keyway/core";
import type { ServerEvents } from "../events/server-events.js";
import type { LogStore } from "../store/log-store.js";
import { type AlertState, decide } from "./alert-decision.js";
import { measureRule } from "./alert-measures.js";
import type { AlertRule } from "./alert-rules.js";
import type { AlertFiring, AlertStore } from "./alert-store.js";
import { InstanceWatch } from "./instance-signals.js";
import { postWebhook, webhookBody } from "./webhook-delivery.js";

export interface AlertEngineOptions {
  store: AlertStore;
  logs: LogStore;
  gateway: () => Gateway;
  events: ServerEvents;
  onError: (error: unknown) => void;
  /** `host:port` entries a webhook may reach though they are internal (a receiver inside the network). */
  allowedWebhookHosts?: readonly string[];
  /** How often rules are evaluated (default 15 s). */
  intervalMs?: number;
}

/**
 * Evaluates the alert rules once across every instance on one database: each tick, every instance reports its own
 * signals; the one holding the lease (renewed each tick, taken over when it lapses) measures every rule, sends
 * what changed and saves the rules' state where the next holder finds it.
 */
export class AlertEngine {
  readonly watch: InstanceWatch;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  /** Per rule, the last delivery failure recorded: the same one again each tick is retried, not recorded again. */
  readonly #failing = new Map<string, string>();

  constructor(
    private rules: readonly AlertRule[],
    private readonly options: AlertEngineOptions,
  ) {
    this.#intervalMs = options.intervalMs ?? 15_000;
    this.watch = new InstanceWatch(randomUUID(), longestWindow(rules));
  }

  /** The rules from now on (the config file's and the managed ones); a rule's state follows its name. */
  setRules(rules: readonly AlertRule[]): void {
    this.rules = rules;
    this.watch.keepSeconds = longestWindow(rules);
  }

  start(): void {
    const loop = () => {
      if (this.#closed) return;
      this.#running = this.tick()
        .catch(this.options.onError)
        .finally(() => {
          if (!this.#closed) this.#timer = setTimeout(loop, this.#intervalMs).unref();
        });
    };
    loop();
  }

  /** One evaluation: report, and if this instance holds the lease, measure and send. */
  async tick(now = Date.now()): Promise<void> {
    const { store } = this.options;
    const gateway = this.options.gateway();
    await store.report(this.watch.snapshot(gateway.keyHealth(), now));
    if (this.rules.length === 0) return;
    // Long enough to outlast a tick whose webhooks are slow; released on close so a successor need not wait.
    const leaseMs = Math.max(this.#intervalMs * 3, 30_000);
    if (!(await store.lease(this.watch.instance, now, now + leaseMs))) return;
    const [signals, states] = await Promise.all([store.signals(), store.states()]);
    const fresh = signals.filter((signal) => signal.at >= now - Math.max(this.#intervalMs * 3, 5_000));
    const previous = new Map(states.map((state) => [state.name, state]));
    const context = { logs: this.options.logs, gateway, signals, fresh, now };
    const next = await Promise.all(
      this.rules.map(async (rule): Promise<AlertState | undefined> => {
        const was = previous.get(rule.name);
        try {
          const decision = decide(rule, was, await measureRule(rule, context), now);
          const { value } = decision.next;
          // Not delivered: the value is shown, the change is not made, and the next tick tries again.
          if (decision.send && !(await this.#send(rule, decision.send, value, now)))
            return { ...(was ?? { name: rule.name, state: "ok", since: now }), value, checked_at: now };
          return decision.next;
        } catch (error) {
          this.options.onError(error);
          return was;
        }
      }),
    );
    await store.saveStates(next.filter((state): state is AlertState => state !== undefined));
  }

  async #send(rule: AlertRule, state: "firing" | "resolved", value: number, now: number): Promise<boolean> {
    const sent = { alert: rule.name, state, value, threshold: rule.threshold };
    const message = { ...sent, at: new Date(now).toISOString() };
    const firing: AlertFiring = { ...sent, at: now, delivered: true };
    const { events } = this.options;
    try {
      await postWebhook(rule.webhook, webhookBody(rule, message), this.options.allowedWebhookHosts ?? []);
      events.emit(
        state === "firing" ? "alert_firing" : "alert_resolved",
        `keyway serve: alert "${rule.name}" ${state} (${rule.kind} ${value}, threshold ${rule.threshold})`,
        { alert: rule.name, kind: rule.kind, value, threshold: rule.threshold },
      );
      await this.options.store.recordFiring(firing);
      this.#failing.delete(rule.name);
      return true;
    } catch (error) {
      const reason = (error as Error).message;
      if (this.#failing.get(rule.name) === `${state} ${reason}`) return false;
      this.#failing.set(rule.name, `${state} ${reason}`);
      events.emit(
        "alert_delivery_failed",
        `keyway serve: alert "${rule.name}" ${state} not delivered: ${reason}`,
        {
          alert: rule.name,
          state,
          error: reason,
        },
      );
      await this.options.store.recordFiring({ ...firing, delivered: false, error: reason });
      return false;
    }
  }

  /**
   * The rules as the dashboard shows them (a webhook by its host only, where each rule comes from), their state
   * and the last firings.
   */
  async view(limit = 50): Promise<{ rules: unknown[]; firings: AlertFiring[] }> {
    const [states, firings] = await Promise.all([
      this.options.store.states(),
      this.options.store.firings(limit),
    ]);
    const byName = new Map(states.map((state) => [state.name, state]));
    return {
      rules: this.rules.map(({ webhook, ...rule }) => {
        const state = byName.get(rule.name);
        return {
          ...rule,
          source: rule.id ? "managed" : "config",
          webhook: { host: new URL(webhook.url).host, format: webhook.format ?? "json" },
          state: state?.state ?? "ok",
          value: state?.value ?? null,
          checked_at: state?.checked_at ?? null,
          since: state?.since ?? null,
          last_fired_at: state?.last_fired_at ?? null,
        };
      }),
      firings,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.options.store.release(this.watch.instance).catch(() => {});
    await this.options.store.close();
  }
}

const longestWindow = (rules: readonly AlertRule[]) =>
  Math.max(300, ...rules.map((rule) => rule.window_seconds ?? 300));
