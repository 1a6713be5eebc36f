import type { GatewayState } from "@keyway/core";
import type { LogStore } from "../store/log-store.js";

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  checks: { store: "ok" | "down"; redis?: "ok" | "down" };
}

/** Resolves "ok" when `probe` answers within `ms`, "down" when it fails or takes longer. */
async function probe(run: () => Promise<unknown>, ms: number): Promise<"ok" | "down"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"down">((resolve) => {
    timer = setTimeout(() => resolve("down"), ms);
  });
  try {
    return await Promise.race([run().then(() => "ok" as const), late]);
  } catch {
    return "down";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /readyz`: ready only while the store answers (and the shared state, when there is one) and the instance is
 * not draining; `/healthz` stays the liveness check. Each probe has `timeoutMs` (a database that stops answering
 * is as down as one that refuses).
 */
export class Readiness {
  #draining = false;
  #last: ReadinessReport["checks"] | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: LogStore,
    private readonly state: () => GatewayState | undefined,
    private readonly timeoutMs = 800,
  ) {}

  /** From now on not ready: a load balancer stops sending before the instance stops taking requests. */
  drain(): void {
    this.#draining = true;
  }

  #onChange: ((check: "store" | "redis", state: "ok" | "down") => void) | undefined;

  /**
   * Probes every `intervalMs` (and on every `/readyz`), calling `onChange` when the store or Redis goes down or
   * comes back: the server's "lost" and "regained" events. The first report counts as a change only when down.
   */
  watch(intervalMs: number, onChange: (check: "store" | "redis", state: "ok" | "down") => void): void {
    this.#onChange = onChange;
    const probeAgain = () => {
      if (!this.#onChange) return;
      this.#timer = setTimeout(() => this.report().finally(probeAgain), intervalMs).unref();
    };
    void this.report().finally(probeAgain);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#onChange = undefined;
  }

  #noticed(checks: ReadinessReport["checks"]): void {
    const before = this.#last;
    this.#last = checks;
    for (const check of ["store", "redis"] as const) {
      const now = checks[check];
      if (now === undefined || now === (before ? before[check] : "ok")) continue;
      this.#onChange?.(check, now);
    }
  }

  async report(): Promise<ReadinessReport> {
    const shared = this.state();
    const [store, redis] = await Promise.all([
      probe(() => this.store.ping(), this.timeoutMs),
      shared ? probe(() => shared.get("keyway:readyz"), this.timeoutMs) : undefined,
    ]);
    const checks = { store, ...(redis ? { redis } : {}) };
    this.#noticed(checks);
    return { ready: !this.#draining && store === "ok" && redis !== "down", draining: this.#draining, checks };
  }
}
