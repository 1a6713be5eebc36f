import { currentContext } from "../context/context.js";
import { defaultCooldownPolicy, KeyPool } from "../credentials/key-pool.js";
import { GatewayClosedError } from "../errors/errors.js";
import { stderrWarner } from "../errors/stderr-warner.js";
import { knownSecretRedactor } from "../log/redact-known-secrets.js";
import type { RequestLog } from "../log/request-log.js";
import { ProviderRegistry } from "../providers/provider-registry.js";
import { createSink } from "../transport/create-sink.js";
import type { LogSink } from "../transport/log-sink.js";
import type { OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { buildGatewayLog, type CallOutcome } from "./build-log.js";
import { type GatewayConfig, gatewayDefaults } from "./gateway-config.js";
import type { ChatOptions, ChatRequest, ChatStream, Gateway } from "./gateway-types.js";
import { createFetchHandler } from "./http/fetch-edge.js";
import { readKeywayParams } from "./keyway-params.js";
import { relayStream } from "./relay-stream.js";
import { type RouteDeps, routeCall } from "./route-call.js";
import { callUpstream } from "./upstream.js";
import type { UpstreamDeps } from "./upstream-request.js";
import { fetchTransport, nodeTransport } from "./upstream-transport.js";
import { validateChatRequest } from "./validate-chat-request.js";

export type { ChatMethod, ChatOptions, ChatRequest, ChatStream, Gateway } from "./gateway-types.js";

function keyPools(config: GatewayConfig): Map<string, KeyPool> {
  const policy = { ...defaultCooldownPolicy, ...config.cooldown };
  const pools = new Map<string, KeyPool>();
  for (const [id, settings] of Object.entries(config.providers ?? {})) {
    const keys = settings.keys ?? (settings.apiKey ? [{ apiKey: settings.apiKey }] : []);
    if (keys.length > 0) pools.set(id, new KeyPool(id, keys, policy));
  }
  return pools;
}

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
  const timeoutMs = config.timeoutMs ?? gatewayDefaults.timeoutMs;
  const pools = keyPools(config);
  const upstreamDeps: UpstreamDeps = {
    transport,
    timeoutMs,
    bodyLimits: {
      idleTimeoutMs: config.idleTimeoutMs ?? timeoutMs,
      maxBytes: config.maxResponseBytes ?? gatewayDefaults.maxResponseBytes,
    },
  };
  const deps: RouteDeps = {
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
  };
  let sink = config.sink;
  const getSink = () => {
    sink ??= createSink({ env });
    return sink;
  };
  const onError = config.onError ?? stderrWarner("gateway");
  const redactKnownSecrets = knownSecretRedactor();
  const inflight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  /** The log step: one log per call, keys it used removed; logging never breaks a call, nor goes unreported. */
  function log(outcome: CallOutcome): void {
    const entry: RequestLog = redactKnownSecrets(buildGatewayLog(outcome), outcome.route.secrets);
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
  }

  async function chat(
    raw: ChatRequest,
    options: ChatOptions = {},
  ): Promise<OpenAIChatCompletion | ChatStream> {
    if (closing) throw new GatewayClosedError();
    const startedAt = now();
    const startedAtMs = Date.now();
    validateChatRequest(raw);
    const params = readKeywayParams(raw as Record<string, unknown>, options.paramsHeader);
    const context = options.context ?? currentContext();
    const request = raw as OpenAIChatRequest;
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    inflight.add(settled);
    const finish = (
      end: Omit<
        CallOutcome,
        "request" | "params" | "context" | "logSource" | "startedAt" | "startedAtMs" | "endedAt" | "prices"
      >,
    ) => {
      log({
        request,
        params,
        context,
        logSource: options.logSource ?? config.logSource ?? gatewayDefaults.logSource,
        startedAt,
        startedAtMs,
        endedAt: now(),
        prices: config.prices,
        ...end,
      });
      inflight.delete(settled);
      settle();
    };

    const routed = await routeCall(
      { model: request.model, params, context, provider: options.provider, signal: options.signal },
      deps,
      (target) =>
        callUpstream(target, { ...request, model: target.requestedModel }, options.signal, upstreamDeps),
    );
    const { route } = routed;
    if (!routed.ok) {
      const none = {
        completion: undefined,
        usage: undefined,
        finishReason: undefined,
        firstOutputAt: undefined,
      };
      finish({ route, ...none, error: routed.error });
      throw routed.error;
    }
    const upstream = routed.upstream;
    if (upstream.kind === "json") {
      const choice = upstream.completion.choices[0];
      finish({
        route,
        completion: choice?.message,
        usage: upstream.completion.usage,
        finishReason: choice?.finish_reason,
        firstOutputAt: undefined,
        error: undefined,
      });
      return upstream.completion;
    }
    const chunks = relayStream(upstream, {
      callerWantsUsage: request.stream_options?.include_usage === true,
      signal: options.signal,
      now,
      onEnd: (end) => finish({ route, ...end }),
    });
    return { provider: route.provider ?? "", model: route.model, [Symbol.asyncIterator]: () => chunks };
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      const graceMs = config.closeTimeoutMs ?? gatewayDefaults.closeTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(inflight),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      transport.close?.();
      try {
        if (config.sink) await config.sink.flush();
        else await sink?.shutdown();
      } catch (error) {
        onError(error);
      }
    })();
    return closing;
  }

  const gateway: Gateway = {
    chat: chat as Gateway["chat"],
    fetch: undefined as unknown as typeof globalThis.fetch,
    keyHealth: () => [...pools.values()].flatMap((pool) => pool.health()),
    providers: registry,
    get sink(): LogSink {
      return getSink();
    },
    close,
  };
  gateway.fetch = createFetchHandler(gateway, {
    maxBodyBytes: config.maxBodyBytes ?? gatewayDefaults.maxBodyBytes,
  });
  return gateway;
}
