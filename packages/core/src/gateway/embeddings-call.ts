import { InvalidRequestError } from "../errors/errors.js";
import { applyUsage } from "../log/apply-usage.js";
import { dropContent } from "../log/disable-log.js";
import type { RequestLog } from "../log/request-log.js";
import { embeddingsAPIs } from "../wire/embeddings-apis.js";
import type { OpenAIEmbeddingsRequest, OpenAIEmbeddingsResponse } from "../wire/openai-types.js";
import { baseLog, type CallOutcomeBase } from "./base-log.js";
import type { EndpointParts } from "./endpoint-parts.js";
import type { ChatOptions, EmbeddingsRequest } from "./gateway-types.js";
import { keywayParamSet } from "./request/keyway-params.js";
import { routeCall } from "./route/route-call.js";
import { readGuardedText } from "./upstream/guarded-body.js";
import {
  badResponse,
  postUpstream,
  type UpstreamDeps,
  type UpstreamTarget,
} from "./upstream/upstream-request.js";

/** A 400 naming the first field of an embeddings request the gateway cannot send on. */
export function validateEmbeddingsRequest(request: unknown): asserts request is OpenAIEmbeddingsRequest {
  if (typeof request !== "object" || request === null || Array.isArray(request))
    throw new InvalidRequestError("The request body must be a JSON object.");
  const r = request as Record<string, unknown>;
  if (typeof r.model !== "string" || r.model.trim() === "")
    throw new InvalidRequestError("model is required and must be a string", { field: "model" });
  const input = r.input;
  const ok =
    typeof input === "string" ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((item) => typeof item === "string") ||
        input.every((item) => typeof item === "number") ||
        input.every((item) => Array.isArray(item) && item.every((token) => typeof token === "number"))));
  if (!ok)
    throw new InvalidRequestError("input must be a string, or a non-empty array of strings or token arrays", {
      field: "input",
    });
  if (r.dimensions !== undefined && (!Number.isInteger(r.dimensions) || (r.dimensions as number) < 1))
    throw new InvalidRequestError("dimensions must be a positive whole number", { field: "dimensions" });
}

/**
 * One embeddings call to a provider that has them (OpenAI's wire format); a provider without an embeddings API
 * is a 400 that says so, before anything is sent.
 */
export async function callEmbeddings(
  target: UpstreamTarget,
  request: OpenAIEmbeddingsRequest,
  signal: AbortSignal | undefined,
  deps: UpstreamDeps,
): Promise<OpenAIEmbeddingsResponse> {
  const { provider } = target;
  if (!provider.embeddings)
    throw new InvalidRequestError(
      `Provider "${provider.id}" has no embeddings API. Use an embedding model of openai, mistral, togetherai, fireworks, or a custom OpenAI-compatible provider.`,
      { field: "model", code: "embeddings_not_supported" },
    );
  const own = embeddingsAPIs[provider.format];
  const model = target.upstreamModel;
  const body: Record<string, unknown> = own ? own.body(model, request, keywayParamSet) : {};
  if (!own) {
    for (const [key, value] of Object.entries(request)) if (!keywayParamSet.has(key)) body[key] = value;
    body.model = model;
  }
  const response = await postUpstream(target, own ? own.path(model) : "/embeddings", JSON.stringify(body), {
    stream: false,
    signal,
    deps,
  });
  const text = await readGuardedText(response, provider.id, deps.bodyLimits, signal);
  let answer: OpenAIEmbeddingsResponse;
  try {
    answer = JSON.parse(text) as OpenAIEmbeddingsResponse;
  } catch {
    throw badResponse(provider.id, "a body that is not JSON");
  }
  if (own && typeof answer === "object" && answer !== null) {
    const mapped = own.answer(model, answer as never, request, target.requestedModel);
    if (!mapped) throw badResponse(provider.id, "embeddings without data");
    return mapped;
  }
  if (typeof answer !== "object" || answer === null || !Array.isArray(answer.data))
    throw badResponse(provider.id, "embeddings without data");
  return { ...answer, model: target.requestedModel };
}

/** Everything known of one finished embeddings call. */
export interface EmbeddingsOutcome extends CallOutcomeBase {
  readonly request: OpenAIEmbeddingsRequest;
  readonly response: OpenAIEmbeddingsResponse | undefined;
}

/** The log of an embeddings call: the texts as input, what came back (not the vectors) as output, tokens, cost. */
export function buildEmbeddingLog(call: EmbeddingsOutcome): RequestLog {
  const log = baseLog(call, "embedding");
  const { request, response, route } = call;
  log.input = request.input;
  if (response) {
    const first = response.data[0]?.embedding;
    // A base64 embedding is float32 values: four bytes each.
    const dimensions = Array.isArray(first)
      ? first.length
      : typeof first === "string"
        ? Buffer.from(first, "base64").length / 4
        : undefined;
    log.output = { embeddings: response.data.length, ...(dimensions !== undefined ? { dimensions } : {}) };
    applyUsage(
      log,
      { promptTokens: response.usage?.prompt_tokens, completionTokens: 0 },
      { model: route.model, provider: route.provider, prices: call.prices },
    );
  }
  return (call.params.disable_log ?? call.context?.disable_log) ? dropContent(log) : log;
}

/** `gateway.embeddings`: the shared steps (begin, route, log) around `callEmbeddings`. */
export function embeddingsMethod(parts: EndpointParts) {
  return async function embeddings(
    raw: EmbeddingsRequest,
    options: ChatOptions = {},
  ): Promise<OpenAIEmbeddingsResponse> {
    const startedAt = parts.now();
    const startedAtMs = Date.now();
    const { call, request, subject } = await parts.begin<EmbeddingsRequest>(
      raw,
      options,
      validateEmbeddingsRequest,
    );
    const done = parts.start();
    const routed = await routeCall(
      {
        model: request.model,
        params: call.params,
        context: call.context,
        provider: options.provider,
        signal: options.signal,
      },
      parts.deps,
      (target) => callEmbeddings(target, request, options.signal, parts.upstreamDeps),
    );
    const outcome: EmbeddingsOutcome = {
      ...call,
      request,
      startedAt,
      startedAtMs,
      endedAt: parts.now(),
      route: routed.route,
      error: routed.ok ? undefined : routed.error,
      response: routed.ok ? routed.upstream : undefined,
    };
    parts.emit(buildEmbeddingLog(outcome), outcome, subject);
    done();
    if (!routed.ok) throw routed.error;
    return routed.upstream;
  };
}
