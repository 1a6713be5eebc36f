import { currentContext } from "../context/context.js";
import { resolveIdentity } from "../context/resolve-identity.js";
import { stderrWarner } from "../errors/stderr-warner.js";
import { knownSecretRedactor } from "../log/redact-known-secrets.js";
import type { RequestLog } from "../log/request-log.js";
import { ProviderRegistry } from "../providers/provider-registry.js";
import { createSink } from "../transport/create-sink.js";
import type { LogSink } from "../transport/log-sink.js";
import { fetchTransport, nodeTransport } from "../transport/upstream-transport.js";
import type { CallOutcomeBase } from "./base-log.js";
import { CallTracker } from "./call-tracker.js";
import { chatMethod } from "./chat-method.js";
import { embeddingsMethod } from "./embeddings-call.js";
import { type GatewayConfig, gatewayDefaults, gatewayParts } from "./gateway-config.js";
import type { ChatOptions, Gateway } from "./gateway-types.js";
import { refuseModels } from "./governance/allowed-models.js";
import { estimateCall } from "./governance/call-estimate.js";
import { Governance, type GovernedCall } from "./governance/governance.js";
import { ResponseCache } from "./governance/response-cache.js";
import { createFetchHandler } from "./http/fetch-edge.js";
import { readKeywayParams } from "./request/keyway-params.js";
import { applyLoadBalance } from "./request/load-balance.js";

export type {
  ChatMethod,
  ChatOptions,
  ChatRequest,
  ChatStream,
  EmbeddingsRequest,
  Gateway,
  GatewayUsage,
} from "./gateway-types.js";

/**
 * The Keyway gateway, one pipeline per call: validate → who it is for (params, context) → route (provider, key,
 * attempts, fallbacks; `route-call.ts`) → answer (a completion, or the stream relayed as it comes) → one log of
 * the immutable outcome. `fetch` is its HTTP face; `keyway serve`, Express and Koa use the `node:http` one.
 */
export function createGateway(config: GatewayConfig = {}): Gateway {
  const registry = new ProviderRegistry(config.providers);
  const env = config.env ?? process.env;
  const now = config.now ?? (() => performance.now());
  const transport = config.fetch ? fetchTransport(config.fetch) : nodeTransport();
  const onError = config.onError ?? stderrWarner("gateway");
  const { pools, deps, upstreamDeps, state, ownState } = gatewayParts(
    config,
    registry,
    env,
    transport,
    onError,
  );
  let sink = config.sink;
  const getSink = () => {
    if (!sink) {
      sink = createSink({ env });
      config.metrics?.watchSink(sink);
    }
    return sink;
  };
  if (config.sink) config.metrics?.watchSink(config.sink);
  const redactKnownSecrets = knownSecretRedactor();
  const calls = new CallTracker();
  const cache = new ResponseCache(state);
  const governance = new Governance(state, config);

  /** The log step: one log per call, keys it used removed; logging never breaks a call, nor goes unreported. */
  function emit(
    log: RequestLog,
    outcome: Pick<CallOutcomeBase, "route" | "face" | "error">,
    subject: GovernedCall,
  ): RequestLog {
    const entry: RequestLog = redactKnownSecrets(log, outcome.route.secrets);
    try {
      if (config.sink || !config.onLog) getSink().log(entry);
    } catch (error) {
      onError(error);
    }
    try {
      config.onLog?.(entry);
    } catch (error) {
      onError(error);
    }
    try {
      config.metrics?.observe(entry, outcome.face, outcome.error);
    } catch (error) {
      onError(error);
    }
    governance.settle(entry, subject).catch(onError);
    return entry;
  }

  /**
   * The steps before routing, the same for every endpoint: the request checked (after load balancing may have
   * chosen its model), who the call is for, how it is logged.
   */
  async function begin<T>(raw: unknown, options: ChatOptions, validate: (value: unknown) => void) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) validate(raw);
    const params = readKeywayParams(raw as Record<string, unknown>, options.paramsHeader);
    const balanced = applyLoadBalance(raw as Record<string, unknown>, params, deps.random);
    validate(balanced.request);
    const call = {
      params: balanced.params,
      context: options.context ?? currentContext(),
      logSource: options.logSource ?? config.logSource ?? gatewayDefaults.logSource,
      logType: options.logType,
      face: options.face ?? "library",
      prices: config.prices,
    };
    // A customer over budget or a rate limit is refused before anything is sent.
    const request = balanced.request as Record<string, unknown>;
    if (options.callerLimits?.allowedModels) refuseModels(request, call.params, options.callerLimits);
    const customer = resolveIdentity({ params: call.params, context: call.context }).customer_params;
    const subject = await governance
      .admit(customer, options.apiKey, () => estimateCall(request, config.prices), options.callerLimits)
      .catch((error: unknown) => {
        config.metrics?.refused(error);
        throw error;
      });
    return { call, request: balanced.request as T, subject };
  }

  const release = (subject: GovernedCall) => {
    governance.settle({ cost: 0 } as RequestLog, subject).catch(onError);
  };
  const parts = { begin, start: () => calls.start(), deps, upstreamDeps, emit, release, now };
  const chat = chatMethod({ ...parts, cache, onError, metrics: config.metrics });
  const embeddings = embeddingsMethod(parts);

  function close(): Promise<void> {
    return calls.close(config.closeTimeoutMs ?? gatewayDefaults.closeTimeoutMs, async () => {
      transport.close?.();
      try {
        if (config.sink) await config.sink.flush();
        else await sink?.shutdown();
      } catch (error) {
        onError(error);
      }
      await ownState?.close();
      config.metrics?.unwatch(gateway);
    });
  }

  const gateway: Gateway = {
    chat: chat as Gateway["chat"],
    embeddings,
    fetch: undefined as unknown as typeof globalThis.fetch,
    keyHealth: () => [...pools.values()].flatMap((pool) => pool.health()),
    async usage() {
      const [budgets, cached] = await Promise.all([governance.budgetUsage(), cache.stats()]);
      const lookups = cached.hits + cached.misses;
      return { budgets, cache: { ...cached, hit_rate: lookups > 0 ? cached.hits / lookups : null } };
    },
    providers: registry,
    get sink(): LogSink {
      return getSink();
    },
    close,
  };
  config.metrics?.watch(gateway);
  gateway.fetch = createFetchHandler(gateway, {
    maxBodyBytes: config.maxBodyBytes ?? gatewayDefaults.maxBodyBytes,
  });
  return gateway;
}
