import { currentContext } from "../context/context.js";
import { resolveIdentity } from "../context/resolve-identity.js";
import { InvalidRequestError } from "../errors/errors.js";
import { stderrWarner } from "../errors/stderr-warner.js";
import { knownSecretRedactor } from "../log/redact-known-secrets.js";
import type { RequestLog } from "../log/request-log.js";
import { ProviderRegistry } from "../providers/provider-registry.js";
import { createSink } from "../transport/create-sink.js";
import type { LogSink } from "../transport/log-sink.js";
import type { OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { buildGatewayLog, type CallOutcome } from "./build-log.js";
import { CallTracker } from "./call-tracker.js";
import { embeddingsMethod } from "./embeddings-call.js";
import { type GatewayConfig, gatewayDefaults, gatewayParts } from "./gateway-config.js";
import { memoryGatewayState } from "./gateway-state.js";
import type { ChatOptions, ChatRequest, ChatStream, Gateway } from "./gateway-types.js";
import { Governance } from "./governance.js";
import { createFetchHandler } from "./http/fetch-edge.js";
import { readKeywayParams } from "./keyway-params.js";
import { applyLoadBalance } from "./load-balance.js";
import type { RateSubject } from "./rate-limits.js";
import { relayStream } from "./relay-stream.js";
import { breakdownOf, withBreakdown } from "./request-breakdown.js";
import { completionOf, markCache, ResponseCache, replay } from "./response-cache.js";
import { type RouteInfo, routeCall, unrouted } from "./route-call.js";
import { callUpstream } from "./upstream.js";
import { fetchTransport, nodeTransport } from "./upstream-transport.js";
import { validateChatRequest } from "./validate-chat-request.js";

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
    sink ??= createSink({ env });
    return sink;
  };
  const redactKnownSecrets = knownSecretRedactor();
  const calls = new CallTracker();
  const cache = new ResponseCache(state);
  const governance = new Governance(state, config);

  /** The log step: one log per call, keys it used removed; logging never breaks a call, nor goes unreported. */
  function emit(log: RequestLog, secrets: readonly string[], subject: RateSubject): RequestLog {
    const entry: RequestLog = redactKnownSecrets(log, secrets);
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
      prices: config.prices,
    };
    // A customer over budget or a rate limit is refused before anything is sent.
    const customer = resolveIdentity({ params: call.params, context: call.context }).customer_params;
    const subject = await governance.admit(customer, options.apiKey);
    return { call, request: balanced.request as T, subject };
  }

  async function chat(
    raw: ChatRequest,
    options: ChatOptions = {},
  ): Promise<OpenAIChatCompletion | ChatStream> {
    const startedAt = now();
    const startedAtMs = Date.now();
    const { call, request, subject } = await begin<OpenAIChatRequest>(raw, options, validateChatRequest);
    const { params, context } = call;
    // Respan's breakdown is OpenAI-chat shaped: the other client APIs have no place for it.
    if (params.request_breakdown && options.native)
      throw new InvalidRequestError(
        `request_breakdown is only answered by chat completions, not by ${options.native.format}.`,
        {
          field: "request_breakdown",
        },
      );
    const done = calls.start();
    let logged: RequestLog | undefined;
    type End = Omit<CallOutcome, keyof typeof call | "request" | "startedAt" | "startedAtMs" | "endedAt">;
    const finish = (end: End) => {
      const outcome: CallOutcome = { ...call, request, startedAt, startedAtMs, endedAt: now(), ...end };
      logged = emit(buildGatewayLog(outcome), outcome.route.secrets, subject);
      done();
    };

    const wantsUsage = request.stream_options?.include_usage === true;
    const cacheKey = params.cache_enabled ? cache.keyOf(request, params, context) : undefined;
    const hit = cacheKey ? await cache.get(cacheKey).catch(onError) : undefined;
    if (hit) {
      // Answered from the cache: logged (unless omit_log) with cache_hit and nothing spent.
      const route: RouteInfo = { ...unrouted(request.model), provider: hit.provider };
      const choice = hit.completion.choices[0];
      const end = {
        completion: choice?.message,
        usage: hit.completion.usage,
        finishReason: choice?.finish_reason,
      };
      if (params.cache_options?.omit_log) done();
      else finish({ route, ...end, firstOutputAt: undefined, error: undefined, cacheHit: true });
      if (!request.stream) return markCache(hit.completion, "hit");
      const replayed = replay(hit.completion, wantsUsage);
      return {
        provider: hit.provider ?? "",
        model: request.model,
        cache: "hit",
        [Symbol.asyncIterator]: () => replayed,
      };
    }
    const cacheStatusOf = cacheKey ? ("miss" as const) : undefined;
    const remember = (completion: OpenAIChatCompletion | undefined, provider: string | undefined) => {
      if (cacheKey && completion) cache.set(cacheKey, { completion, provider }, params).catch(onError);
    };

    const routed = await routeCall(
      { model: request.model, params, context, provider: options.provider, signal: options.signal },
      deps,
      (target) =>
        callUpstream(
          target,
          { ...request, model: target.requestedModel },
          options.signal,
          upstreamDeps,
          options.native,
        ),
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
      remember(upstream.completion, route.provider);
      const completion =
        params.request_breakdown && logged
          ? { ...upstream.completion, request_breakdown: breakdownOf(logged) }
          : upstream.completion;
      return markCache(completion, cacheStatusOf);
    }
    const chunks = relayStream(upstream, {
      callerWantsUsage: wantsUsage,
      signal: options.signal,
      now,
      onEnd: (end) => {
        finish({ route, ...end });
        remember(completionOf(end, route.model), route.provider);
      },
    });
    const answer = params.request_breakdown ? withBreakdown(chunks, () => logged, route.model) : chunks;
    return {
      provider: route.provider ?? "",
      model: route.model,
      ...(cacheStatusOf ? { cache: cacheStatusOf } : {}),
      [Symbol.asyncIterator]: () => answer,
    };
  }

  const embeddings = embeddingsMethod({ begin, start: () => calls.start(), deps, upstreamDeps, emit, now });

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
  gateway.fetch = createFetchHandler(gateway, {
    maxBodyBytes: config.maxBodyBytes ?? gatewayDefaults.maxBodyBytes,
  });
  return gateway;
}
