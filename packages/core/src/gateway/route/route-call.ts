import type { KeywayContext } from "../../context/context.js";
import { parseCustomerCredentials } from "../../credentials/customer-credentials.js";
import type { KeyPool } from "../../credentials/key-pool.js";
import { type Credential, resolveCredential } from "../../credentials/resolve-credential.js";
import { InvalidRequestError, RequestAbortedError } from "../../errors/errors.js";
import { KeywayError } from "../../errors/keyway-error.js";
import type { ProviderRegistry, ResolvedModel } from "../../providers/provider-registry.js";
import { backoffDelay } from "../../transport/backoff.js";
import { abortableSleep } from "../abortable-sleep.js";
import type { KeywayParams } from "../request/keyway-params.js";
import { checkModelId } from "../request/model-id.js";
import type { UpstreamTarget } from "../upstream/upstream-request.js";

/** What routing needs from the gateway: fixed for its lifetime. */
export interface RouteDeps {
  registry: ProviderRegistry;
  pools: ReadonlyMap<string, KeyPool>;
  env: Record<string, string | undefined>;
  random: () => number;
  retry: { retries: number; baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
  allowedBaseURLHosts: readonly string[];
  /** Cooldowns shared with other instances, adopted before a pooled key is picked. */
  cooldowns?: { sync(provider: string): Promise<void> };
}

/** Where a call went: the model (as requested) and provider that answered or were tried last, and how. */
export interface RouteInfo {
  readonly model: string;
  readonly provider: string | undefined;
  readonly keyId: string | undefined;
  readonly credentialSource: string | undefined;
  readonly attempts: number;
  readonly fallbackFrom: readonly string[];
  /** Every key used: redacted from the call's log wherever they appear. */
  readonly secrets: readonly string[];
}

/** Where a call went before it went anywhere. */
export const unrouted = (model: string): RouteInfo => ({
  model,
  provider: undefined,
  keyId: undefined,
  credentialSource: undefined,
  attempts: 0,
  fallbackFrom: [],
  secrets: [],
});

export type RouteResult<T> =
  | { ok: true; upstream: T; route: RouteInfo }
  | { ok: false; error: unknown; route: RouteInfo };

export interface RouteRequest {
  /** The model asked for; `fallback_models` from `params` follow it. */
  model: string;
  params: KeywayParams;
  context: KeywayContext | undefined;
  provider: string | undefined;
  signal: AbortSignal | undefined;
}

const retryable = (error: unknown) => KeywayError.isInstance(error) && error.isRetryable;
// Errors that are the caller's own: another model or key would fail the same way.
const final = (error: unknown) =>
  RequestAbortedError.isInstance(error) ||
  (KeywayError.isInstance(error) && ["invalid_request", "base_url_not_allowed"].includes(error.code));
const statusOf = (error: unknown) =>
  KeywayError.isInstance(error)
    ? ((error as { upstreamStatus?: number }).upstreamStatus ?? error.statusCode)
    : 0;

/** A decision after a failed attempt: try again after `delayMs`, or stop trying this model. */
type NextStep = { retry: true; delayMs: number } | { retry: false };

/**
 * The routing step, the same for every endpoint: each model in turn (the requested one, then `fallback_models`),
 * each with up to `retries` more attempts — on another key of the pool when one is left, at once for a refused
 * key, after a backoff otherwise — each attempt made by `send` (the endpoint's upstream call). Resolves to its
 * answer or the last error, with where the call went; never throws.
 */
export async function routeCall<T>(
  call: RouteRequest,
  deps: RouteDeps,
  send: (target: UpstreamTarget) => Promise<T>,
): Promise<RouteResult<T>> {
  const { params, context } = call;
  const excludedModels = new Set(params.exclude_models ?? []);
  const excludedProviders = new Set(params.exclude_providers ?? []);
  const models = [call.model, ...(params.disable_fallback ? [] : (params.fallback_models ?? []))].filter(
    (model) => !excludedModels.has(model),
  );
  const customerKeys = parseCustomerCredentials(params.customer_credentials ?? context?.customer_credentials);
  const override = { ...context?.credential_override, ...params.credential_override };
  const retryParams = params.retry_params;
  const retries = retryParams?.retry_enabled === false ? 0 : (retryParams?.num_retries ?? deps.retry.retries);
  const baseDelayMs =
    retryParams?.retry_after !== undefined ? retryParams.retry_after * 1000 : deps.retry.baseDelayMs;
  let route: RouteInfo = unrouted(call.model);
  let lastError: unknown;
  try {
    checkModelId(call.model);
    for (const [index, fallback] of (params.fallback_models ?? []).entries())
      checkModelId(fallback, `fallback_models[${index}]`);
  } catch (error) {
    return { ok: false, error, route };
  }
  if (models.length === 0) {
    const error = new InvalidRequestError("exclude_models excludes every model of this request.", {
      field: "exclude_models",
    });
    return { ok: false, error, route };
  }

  for (const [index, model] of models.entries()) {
    route = { ...route, model, fallbackFrom: models.slice(0, index) };
    const tried = new Set<string>();
    for (let attempt = 0; attempt <= retries; attempt++) {
      let resolved: ResolvedModel;
      let credential: Credential;
      try {
        resolved = deps.registry.resolve(model, call.provider);
        route = { ...route, provider: resolved.provider.id };
        if (excludedProviders.has(resolved.provider.id))
          throw new InvalidRequestError(
            `Provider "${resolved.provider.id}" is excluded by exclude_providers.`,
            {
              field: "exclude_providers",
              code: "provider_excluded",
            },
          );
        if (deps.cooldowns && deps.pools.has(resolved.provider.id))
          await deps.cooldowns.sync(resolved.provider.id);
        credential = resolveCredential({
          provider: resolved.provider,
          model,
          upstreamModel: resolved.upstreamModel,
          override,
          customerKeys,
          pool: deps.pools.get(resolved.provider.id),
          env: deps.env,
          exclude: tried,
          allowedBaseURLHosts: deps.allowedBaseURLHosts,
          random: deps.random,
        });
      } catch (error) {
        lastError = error;
        if (final(error)) return { ok: false, error, route };
        break; // no such model or no key: the next model
      }
      if (credential.keyId) tried.add(credential.keyId);
      route = {
        ...route,
        keyId: credential.keyId,
        credentialSource: credential.source,
        attempts: route.attempts + 1,
        secrets: [
          ...route.secrets,
          ...(credential.secrets ?? (credential.apiKey ? [credential.apiKey] : [])).filter(
            (secret) => !route.secrets.includes(secret),
          ),
        ],
      };
      const pool = credential.source === "pool" ? deps.pools.get(resolved.provider.id) : undefined;
      try {
        const upstream = await send({
          provider: resolved.provider,
          baseURL: credential.baseURL ?? resolved.provider.baseURL,
          apiKey: credential.apiKey,
          apiVersion: credential.apiVersion ?? resolved.provider.apiVersion,
          ...(credential.project !== undefined ? { project: credential.project } : {}),
          ...(credential.location !== undefined ? { location: credential.location } : {}),
          ...(credential.region !== undefined ? { region: credential.region } : {}),
          // A credential's own deployment names win (its resource names them); the prefix is not part of them.
          upstreamModel:
            credential.modelNameMap?.[model.slice(model.indexOf("/") + 1)] ?? resolved.upstreamModel,
          requestedModel: model,
        });
        if (pool && credential.keyId) pool.report(credential.keyId, 200);
        return { ok: true, upstream, route };
      } catch (error) {
        lastError = error;
        const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
        if (pool && credential.keyId && !RequestAbortedError.isInstance(error))
          pool.report(credential.keyId, statusOf(error), retryAfterMs);
        if (final(error)) return { ok: false, error, route };
        const next = nextStep(error, {
          attempt,
          retries,
          baseDelayMs,
          credential,
          keysOfSource:
            credential.source === "pool"
              ? (pool?.size ?? 0)
              : credential.source === "customer"
                ? customerKeys.filter((key) => key.provider === resolved.provider.id).length
                : 1,
          anotherKey:
            (deps.pools.get(resolved.provider.id)?.size ?? 0) > tried.size ||
            customerKeys.filter((key) => key.provider === resolved.provider.id).length > tried.size,
          tried: tried.size,
          retryAfterMs,
          deps,
        });
        if (!next.retry) break;
        try {
          await abortableSleep(next.delayMs, call.signal);
        } catch (aborted) {
          return { ok: false, error: aborted, route };
        }
      }
    }
  }
  return { ok: false, error: lastError, route };
}

/** Whether and when to try the same model again after a failed attempt. */
function nextStep(
  error: unknown,
  at: {
    attempt: number;
    retries: number;
    baseDelayMs: number;
    credential: Credential;
    keysOfSource: number;
    anotherKey: boolean;
    tried: number;
    retryAfterMs: number | undefined;
    deps: RouteDeps;
  },
): NextStep {
  const status = statusOf(error);
  // A key the provider refuses (401/403) says nothing about the request: the next key of the same pool (or of
  // the customer's own keys — never swapped for ours) may serve it, at once.
  const keyRefused = (status === 401 || status === 403) && at.keysOfSource > at.tried;
  if ((!retryable(error) && !keyRefused) || at.attempt === at.retries) return { retry: false };
  if (keyRefused) return { retry: true, delayMs: 0 };
  // Another key can be tried after the base backoff; the same key must wait its Retry-After.
  let delayMs = backoffDelay(at.attempt, at.baseDelayMs, at.deps.retry.maxDelayMs, at.deps.random);
  if (at.retryAfterMs !== undefined && !at.anotherKey) {
    if (at.retryAfterMs > at.deps.retry.maxRetryAfterMs) return { retry: false };
    delayMs = Math.max(delayMs, at.retryAfterMs);
  }
  return { retry: true, delayMs };
}
