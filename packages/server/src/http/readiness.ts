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

  constructor(
    private readonly store: LogStore,
    private readonly state: () => GatewayState | undefined,
    private readonly timeoutMs = 800,
  ) {}

  /** From now on not ready: a load balancer stops sending before the instance stops taking requests. */
  drain(): void {
    this.#draining = true;
  }

  async report(): Promise<ReadinessReport> {
    const shared = this.state();
    const [store, redis] = await Promise.all([
      probe(() => this.store.ping(), this.timeoutMs),
      shared ? probe(() => shared.get("keyway:readyz"), this.timeoutMs) : undefined,
    ]);
    const checks = { store, ...(redis ? { redis } : {}) };
    return { ready: !this.#draining && store === "ok" && redis !== "down", draining: this.#draining, checks };
  }
}
