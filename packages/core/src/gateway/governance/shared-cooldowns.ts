import type { KeyPool } from "../../credentials/key-pool.js";
import type { GatewayState } from "./gateway-state.js";

const keyOf = (provider: string, keyId: string) => `cooldown:${provider}:${keyId}`;

/**
 * Key-pool cooldowns on shared `GatewayState`: a key one instance saw refused or rate limited is skipped by every
 * instance until its cooldown ends. Each pool publishes the cooldowns it starts; before a pooled key is picked,
 * the pool adopts the ones others published. Shared state that does not answer leaves each pool to its own view.
 */
export class SharedCooldowns {
  constructor(
    private readonly state: GatewayState,
    private readonly pools: ReadonlyMap<string, KeyPool>,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    for (const pool of pools.values())
      pool.onCooldown = (keyId, until) => {
        const ms = until - this.now();
        if (ms > 0) this.state.set(keyOf(pool.provider, keyId), String(until), ms).catch(this.onError);
      };
  }

  async sync(provider: string): Promise<void> {
    const pool = this.pools.get(provider);
    if (!pool) return;
    const ids = pool.keyIds();
    try {
      const untils = await Promise.all(ids.map((id) => this.state.get(keyOf(provider, id))));
      untils.forEach((until, i) => {
        if (until !== undefined) pool.adopt(ids[i] as string, Number(until));
      });
    } catch (error) {
      this.onError(error);
    }
  }
}
