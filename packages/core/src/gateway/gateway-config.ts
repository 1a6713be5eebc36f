import { awsKeyText } from "../credentials/aws-keys.js";
import { entraTokenText } from "../credentials/entra-token.js";
import { type CooldownPolicy, defaultCooldownPolicy, KeyPool } from "../credentials/key-pool.js";
import type { RequestLog } from "../log/request-log.js";
import type { GatewayMetrics } from "../metrics/gateway-metrics.js";
import type { ModelPrices } from "../pricing/compute-cost.js";
import type { ProviderConfig, ProviderRegistry } from "../providers/provider-registry.js";
import type { LogSink } from "../transport/log-sink.js";
import type { UpstreamTransport } from "../transport/upstream-transport.js";
import type { Budget } from "./governance/budgets.js";
import { type GatewayState, memoryGatewayState } from "./governance/gateway-state.js";
import type { RateLimits } from "./governance/rate-limits.js";
import { redisGatewayState } from "./governance/redis-gateway-state.js";
import { SharedCooldowns } from "./governance/shared-cooldowns.js";
import type { RouteDeps } from "./route/route-call.js";
import { GoogleTokens } from "./upstream/google-tokens.js";
import type { UpstreamDeps } from "./upstream/upstream-request.js";

export interface GatewayConfig {
  /** Per provider: keys or key pools, base URL overrides; unknown ids with a baseURL are custom providers. */
  providers?: Record<string, ProviderConfig>;
  /** Where logs go; default `createSink()` from env (created on the first log). */
  sink?: LogSink;
  /** Prometheus metrics of every call (`new GatewayMetrics()`; serve them with `metricsHandler`). */
  metrics?: GatewayMetrics;
  /** Also called with every log (after the sink). */
  onLog?: (log: RequestLog) => void;
  /**
   * Problems that must not break a call: the sink or `onLog` threw. Default: one line on stderr, at most one
   * per 10 s. The sink reports its own delivery problems through its own `onError`.
   */
  onError?: (error: unknown) => void;
  /** How long `close()` lets calls in flight finish before it cuts their upstream connections (default 10 s). */
  closeTimeoutMs?: number;
  /** Retries per model on 429/5xx/network errors/timeouts (default 2), before fallbacks; base delay in ms. */
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** Time allowed for an upstream's headers, per attempt (default 60 s). */
  timeoutMs?: number;
  /** Silence allowed between two reads of an upstream body once its headers came (default `timeoutMs`). */
  idleTimeoutMs?: number;
  /** Most bytes read from one upstream response, streamed or not (default 64 MiB); past it the call fails (502). */
  maxResponseBytes?: number;
  cooldown?: Partial<CooldownPolicy>;
  /** Hosts a per-request `api_base` may aim at; any other is refused (no SSRF through the gateway). */
  allowedBaseURLHosts?: string[];
  /**
   * What several gateway instances share (response cache entries, budget spend); default in this process. Yours
   * to close: the gateway closes only the state it made from `redis`.
   */
  state?: GatewayState;
  /** `redis://…` URL of a Redis to keep the state in, shared by every instance using it (env `KEYWAY_REDIS_URL`). */
  redis?: string;
  /** Budgets per customer id (USD); a request's own `customer_params` budget wins over these. */
  budgets?: Record<string, Budget>;
  /** Requests and tokens per minute, per customer and per API key the caller presented; 429 with `Retry-After`. */
  rateLimits?: RateLimits;
  /** Custom prices per model id (USD per 1M tokens), winning over the bundled table. */
  prices?: Record<string, ModelPrices>;
  /** `log_source` of the gateway's logs (default `gateway`). */
  logSource?: string;
  /** Largest request body `gateway.fetch` accepts (default 20 MiB). */
  maxBodyBytes?: number;
  /** Env for provider keys and the default sink's `KEYWAY_*` settings (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The HTTP client for upstream calls; default `node:http`/`node:https` with keep-alive agents. */
  fetch?: typeof globalThis.fetch;
  /** Monotonic clock in ms, for durations. */
  now?: () => number;
  random?: () => number;
}

export const gatewayDefaults = {
  retries: 2,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
  timeoutMs: 60_000,
  closeTimeoutMs: 10_000,
  maxBodyBytes: 20 * 1024 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  logSource: "gateway",
} as const;

/** What a gateway's steps need, resolved from its config once: key pools, routing, upstream calls. */
export function gatewayParts(
  config: GatewayConfig,
  registry: ProviderRegistry,
  env: Record<string, string | undefined>,
  transport: UpstreamTransport,
  onError: (error: unknown) => void,
): {
  pools: Map<string, KeyPool>;
  deps: RouteDeps;
  upstreamDeps: UpstreamDeps;
  state: GatewayState;
  /** The state the gateway made (from `redis`), and so closes. */
  ownState: (GatewayState & { close(): Promise<void> }) | undefined;
} {
  const policy = { ...defaultCooldownPolicy, ...config.cooldown };
  const pools = new Map<string, KeyPool>();
  for (const [given, settings] of Object.entries(config.providers ?? {})) {
    const id = registry.get(given)?.id ?? given; // `gemini` keys are `google`'s
    // A service account is Vertex AI's key: its JSON text, pooled like any other (weights, cooldowns).
    const account =
      typeof settings.serviceAccount === "object"
        ? JSON.stringify(settings.serviceAccount)
        : settings.serviceAccount;
    // AWS keys are Bedrock's: held as their JSON text, pooled the same way.
    const aws =
      settings.accessKeyId && settings.secretAccessKey
        ? awsKeyText({
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
            sessionToken: settings.sessionToken,
          })
        : undefined;
    const entra = settings.azureAdToken ? entraTokenText(settings.azureAdToken) : undefined;
    const single = settings.apiKey ?? account ?? aws ?? entra;
    const keys = (settings.keys ?? (single ? [{ apiKey: single }] : [])).map((key) =>
      "apiKey" in key
        ? key
        : "azureAdToken" in key
          ? { ...key, apiKey: entraTokenText(key.azureAdToken) }
          : { apiKey: awsKeyText(key), ...(key.weight !== undefined ? { weight: key.weight } : {}) },
    );
    if (keys.length > 0) pools.set(id, new KeyPool(id, keys, policy));
  }
  const redisUrl = config.state ? undefined : (config.redis ?? env.KEYWAY_REDIS_URL);
  const ownState = redisUrl ? redisGatewayState({ url: redisUrl }) : undefined;
  const shared = config.state ?? ownState;
  // In-process state has no one to share cooldowns with: the pools' own view is the whole truth.
  const cooldowns = shared ? new SharedCooldowns(shared, pools, onError) : undefined;
  const timeoutMs = config.timeoutMs ?? gatewayDefaults.timeoutMs;
  return {
    pools,
    state: shared ?? memoryGatewayState(),
    ownState,
    deps: {
      registry,
      pools,
      env,
      random: config.random ?? Math.random,
      retry: {
        retries: config.retry?.retries ?? gatewayDefaults.retries,
        baseDelayMs: config.retry?.baseDelayMs ?? gatewayDefaults.baseDelayMs,
        maxDelayMs: config.retry?.maxDelayMs ?? gatewayDefaults.maxDelayMs,
        maxRetryAfterMs: config.retry?.maxRetryAfterMs ?? gatewayDefaults.maxRetryAfterMs,
      },
      allowedBaseURLHosts: config.allowedBaseURLHosts ?? [],
      ...(cooldowns ? { cooldowns } : {}),
    },
    upstreamDeps: {
      transport,
      googleTokens: new GoogleTokens(),
      timeoutMs,
      bodyLimits: {
        idleTimeoutMs: config.idleTimeoutMs ?? timeoutMs,
        maxBytes: config.maxResponseBytes ?? gatewayDefaults.maxResponseBytes,
      },
    },
  };
}
