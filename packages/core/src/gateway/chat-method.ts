import { InvalidRequestError } from "../errors/errors.js";
import type { RequestLog } from "../log/request-log.js";
import type { GatewayMetrics } from "../metrics/gateway-metrics.js";
import type { OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { buildGatewayLog, type CallOutcome } from "./build-log.js";
import type { EndpointParts } from "./endpoint-parts.js";
import type { ChatOptions, ChatRequest, ChatStream } from "./gateway-types.js";
import { completionOf, markCache, type ResponseCache, replay } from "./governance/response-cache.js";
import { validateChatRequest } from "./request/validate-chat-request.js";
import { breakdownOf, withBreakdown } from "./request-breakdown.js";
import { type RouteInfo, routeCall, unrouted } from "./route/route-call.js";
import { relayStream } from "./upstream/relay-stream.js";
import { callUpstream } from "./upstream/upstream.js";

/**
 * `gateway.chat`: the shared steps (begin, route, log) around the chat call — the response cache in front,
 * a completion or the stream relayed as it comes, `request_breakdown` on the answer.
 */
export function chatMethod(
  parts: EndpointParts & {
    cache: ResponseCache;
    onError: (error: unknown) => void;
    metrics: GatewayMetrics | undefined;
  },
) {
  return async function chat(
    raw: ChatRequest,
    options: ChatOptions = {},
  ): Promise<OpenAIChatCompletion | ChatStream> {
    const startedAt = parts.now();
    const startedAtMs = Date.now();
    const { call, request, subject } = await parts.begin<OpenAIChatRequest>(
      raw,
      options,
      validateChatRequest,
    );
    const { params, context } = call;
    // Respan's breakdown is OpenAI-chat shaped: the other client APIs have no place for it.
    if (params.request_breakdown && options.native) {
      parts.release(subject);
      throw new InvalidRequestError(
        `request_breakdown is only answered by chat completions, not by ${options.native.format}.`,
        {
          field: "request_breakdown",
        },
      );
    }
    const done = parts.start();
    let logged: RequestLog | undefined;
    type End = Omit<CallOutcome, keyof typeof call | "request" | "startedAt" | "startedAtMs" | "endedAt">;
    const finish = (end: End) => {
      const outcome: CallOutcome = { ...call, request, startedAt, startedAtMs, endedAt: parts.now(), ...end };
      logged = parts.emit(buildGatewayLog(outcome), outcome, subject);
      done();
    };

    const wantsUsage = request.stream_options?.include_usage === true;
    const cacheKey = params.cache_enabled
      ? parts.cache.keyOf(request, params, context, { native: options.native, provider: options.provider })
      : undefined;
    const hit = cacheKey ? await parts.cache.get(cacheKey).catch(parts.onError) : undefined;
    if (cacheKey) parts.metrics?.cacheLookup(hit ? "hit" : "miss");
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
      if (cacheKey && completion)
        parts.cache.set(cacheKey, { completion, provider }, params).catch(parts.onError);
    };

    const routed = await routeCall(
      { model: request.model, params, context, provider: options.provider, signal: options.signal },
      parts.deps,
      (target) =>
        callUpstream(
          target,
          { ...request, model: target.requestedModel },
          options.signal,
          parts.upstreamDeps,
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
      now: parts.now,
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
  };
}
