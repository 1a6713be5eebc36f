import {
  createGateway,
  type Gateway,
  type GatewayConfig,
  type GatewayState,
  memoryGatewayState,
  ProviderRegistry,
  redisGatewayState,
} from "@keyway/core";
import { gatewayPrices, gatewayProviders } from "./gateway-providers.js";
import type { ManagedSettings } from "./managed-settings.js";

const builtIn = new ProviderRegistry();
/** A provider's id from any name of it (`gemini` → `google`, `azure_openai` → `azure`). */
export const canonicalProvider = (id: string): string => builtIn.get(id)?.id ?? id;

/**
 * The gateway `keyway serve` answers with, rebuilt from the config file and the managed settings whenever those
 * change. A call holds the gateway it started on, so it finishes on its settings; the replaced gateway closes once
 * its calls are done. Cache, budgets and cooldowns live in one state all generations share.
 */
export class LiveGateway {
  #current: Gateway;
  readonly #config: GatewayConfig;
  readonly #state: GatewayState;
  readonly #ownState: (GatewayState & { close(): Promise<void> }) | undefined;
  readonly #retiring = new Set<Promise<void>>();

  constructor(config: GatewayConfig, managed: ManagedSettings) {
    const { redis, ...rest } = config;
    this.#ownState = config.state ? undefined : redis ? redisGatewayState({ url: redis }) : undefined;
    this.#state = config.state ?? this.#ownState ?? memoryGatewayState();
    this.#config = rest;
    this.#current = this.#build(managed);
  }

  get current(): Gateway {
    return this.#current;
  }

  /** The state shared with other instances (Redis, or the one configured), or undefined when in this process. */
  get sharedState(): GatewayState | undefined {
    return this.#config.state ?? this.#ownState;
  }

  #build(managed: ManagedSettings): Gateway {
    const prices = gatewayPrices(this.#config.prices, managed);
    return createGateway({
      ...this.#config,
      state: this.#state,
      providers: gatewayProviders(this.#config.providers ?? {}, managed, canonicalProvider),
      ...(prices ? { prices } : {}),
    });
  }

  /** Swaps in a gateway on `managed`; a config the registry refuses keeps the one in force and throws. */
  update(managed: ManagedSettings): void {
    const next = this.#build(managed);
    const previous = this.#current;
    this.#current = next;
    const retiring = previous.close().finally(() => this.#retiring.delete(retiring));
    this.#retiring.add(retiring);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#retiring, this.#current.close()]);
    await this.#ownState?.close();
  }
}
