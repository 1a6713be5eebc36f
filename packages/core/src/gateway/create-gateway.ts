import { currentContext, type KeywayContext } from "../context/context.js";
import { parseCustomerCredentials } from "../credentials/customer-credentials.js";
import { defaultCooldownPolicy, type KeyHealth, KeyPool } from "../credentials/key-pool.js";
import { type Credential, resolveCredential } from "../credentials/resolve-credential.js";
import { GatewayClosedError, InvalidRequestError, RequestAbortedError } from "../errors/errors.js";
import { KeywayError } from "../errors/keyway-error.js";
import { stderrWarner } from "../errors/stderr-warner.js";
import { knownSecretRedactor } from "../log/redact-known-secrets.js";
import type { RequestLog } from "../log/request-log.js";
import { ProviderRegistry } from "../providers/provider-registry.js";
import { backoffDelay } from "../transport/backoff.js";
import { createSink } from "../transport/create-sink.js";
import type { LogSink } from "../transport/log-sink.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIChatRequest } from "../wire/openai-types.js";
import { buildGatewayLog, type CallRecord } from "./build-log.js";
import { CompletionAccumulator } from "./completion-accumulator.js";
import { type GatewayConfig, gatewayDefaults } from "./gateway-config.js";
import { createFetchHandler } from "./http-handler.js";
import { type KeywayParams, readKeywayParams } from "./keyway-params.js";
import { callUpstream, type UpstreamResult } from "./upstream.js";
import { fetchTransport, nodeTransport } from "./upstream-transport.js";

/** A chat request: OpenAI's body plus Respan's extensions (`customer_identifier`, `fallback_models`, …). */
export type ChatRequest = OpenAIChatRequest & KeywayParams;

export interface ChatOptions {
  signal?: AbortSignal;
  /** Pins the provider (like the `X-Respan-Route-Provider` header). */
  provider?: string;
  /** Keyway parameters from outside the body (the `X-Data-Respan-Params` header), lowest precedence. */
  paramsHeader?: string | null;
  /** `log_source` for this call's log. */
  logSource?: string;
  /** A context to use instead of the ambient one. */
  context?: KeywayContext;
}

/** A streamed completion: OpenAI chunks as they arrive. Stopping early cancels the upstream and logs it. */
export interface ChatStream extends AsyncIterable<OpenAIChatChunk> {
  readonly provider: string;
  readonly model: string;
}

/** `gateway.chat`: a stream for `stream: true`, a completion otherwise. */
export interface ChatMethod {
  (request: ChatRequest & { stream: true }, options?: ChatOptions): Promise<ChatStream>;
  (request: ChatRequest & { stream?: false | null }, options?: ChatOptions): Promise<OpenAIChatCompletion>;
  (request: ChatRequest, options?: ChatOptions): Promise<OpenAIChatCompletion | ChatStream>;
}

export interface Gateway {
  chat: ChatMethod;
  /** A Fetch-API handler: `POST …/chat/completions` (OpenAI-compatible + Respan extensions), `GET …/models`. */
  fetch: typeof globalThis.fetch;
  /** Health of every configured key, by fingerprint. */
  keyHealth(): KeyHealth[];
  readonly providers: ProviderRegistry;
  /** The sink the gateway logs to. */
  readonly sink: LogSink;
  /**
   * Stops taking calls, lets the ones in flight finish (up to `closeTimeoutMs`, then cuts them), closes the
   * upstream keep-alive connections and shuts down the sink the gateway made itself (a sink it was given is
   * flushed, not shut: it may serve others). Idempotent; later calls fail with `gateway_closed`.
   */
  close(): Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestAbortedError(signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

function validate(request: unknown): asserts request is ChatRequest {
  if (typeof request !== "object" || request === null || Array.isArray(request))
    throw new InvalidRequestError("The request body must be a JSON object.");
  const r = request as Record<string, unknown>;
  if (typeof r.model !== "string" || r.model.trim() === "")
    throw new InvalidRequestError("model is required and must be a string", { field: "model" });
  if (!Array.isArray(r.messages) || r.messages.length === 0)
    throw new InvalidRequestError("messages must be a non-empty array", { field: "messages" });
  r.messages.forEach((message, index) => {
    if (
      typeof message !== "object" ||
      message === null ||
      typeof (message as { role?: unknown }).role !== "string"
    ) {
      throw new InvalidRequestError(`messages[${index}].role must be a string`, {
        field: `messages.${index}.role`,
      });
    }
  });
  if (r.stream !== undefined && r.stream !== null && typeof r.stream !== "boolean")
    throw new InvalidRequestError("stream must be a boolean", { field: "stream" });
  for (const name of ["max_tokens", "max_completion_tokens", "temperature", "top_p"]) {
    if (r[name] !== undefined && r[name] !== null && typeof r[name] !== "number")
      throw new InvalidRequestError(`${name} must be a number`, { field: name });
  }
  if (r.tools !== undefined && !Array.isArray(r.tools))
    throw new InvalidRequestError("tools must be an array", { field: "tools" });
}

const retryable = (error: unknown) => KeywayError.isInstance(error) && error.isRetryable;
// Errors that are the caller's own: another model would fail the same way.
const final = (error: unknown) =>
  RequestAbortedError.isInstance(error) ||
  (KeywayError.isInstance(error) && ["invalid_request", "base_url_not_allowed"].includes(error.code));

/**
 * The Keyway gateway: routes an OpenAI-format chat request to the provider that serves its model, with the key
 * Respan's order picks (override → customer → pool → env), translating wire formats, retrying across keys,
 * falling back across `fallback_models`, streaming chunks as they arrive, and logging every finished call once.
 */
export function createGateway(config: GatewayConfig = {}): Gateway {
  const registry = new ProviderRegistry(config.providers);
  const env = config.env ?? process.env;
  const now = config.now ?? (() => performance.now());
  const random = config.random ?? Math.random;
  const transport = config.fetch ? fetchTransport(config.fetch) : nodeTransport();
  const retries = config.retry?.retries ?? gatewayDefaults.retries;
  const baseDelayMs = config.retry?.baseDelayMs ?? gatewayDefaults.baseDelayMs;
  const maxDelayMs = config.retry?.maxDelayMs ?? gatewayDefaults.maxDelayMs;
  const maxRetryAfterMs = config.retry?.maxRetryAfterMs ?? gatewayDefaults.maxRetryAfterMs;
  const timeoutMs = config.timeoutMs ?? gatewayDefaults.timeoutMs;
  const bodyLimits = {
    idleTimeoutMs: config.idleTimeoutMs ?? timeoutMs,
    maxBytes: config.maxResponseBytes ?? gatewayDefaults.maxResponseBytes,
  };
  const policy = { ...defaultCooldownPolicy, ...config.cooldown };
  const pools = new Map<string, KeyPool>();
  for (const [id, settings] of Object.entries(config.providers ?? {})) {
    const keys = settings.keys ?? (settings.apiKey ? [{ apiKey: settings.apiKey }] : []);
    if (keys.length > 0) pools.set(id, new KeyPool(id, keys, policy));
  }
  let sink = config.sink;
  const getSink = () => {
    sink ??= createSink({ env });
    return sink;
  };
  const onError = config.onError ?? stderrWarner("gateway");
  const redactKnownSecrets = knownSecretRedactor();
  const inflight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  function emit(log: RequestLog): void {
    // Logging never breaks a call; what fails is reported, never swallowed.
    try {
      if (config.sink || !config.onLog) getSink().log(log);
    } catch (error) {
      onError(error);
    }
    try {
      config.onLog?.(log);
    } catch (error) {
      onError(error);
    }
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

  async function chat(
    raw: ChatRequest,
    options: ChatOptions = {},
  ): Promise<OpenAIChatCompletion | ChatStream> {
    if (closing) throw new GatewayClosedError();
    const startedAt = now();
    const startedAtMs = Date.now();
    validate(raw);
    const params = readKeywayParams(raw as Record<string, unknown>, options.paramsHeader);
    const context = options.context ?? currentContext();
    const request = raw as OpenAIChatRequest;
    const callerWantsUsage = request.stream_options?.include_usage === true;
    const record: CallRecord = {
      request,
      params,
      context,
      logSource: options.logSource ?? config.logSource ?? gatewayDefaults.logSource,
      startedAt,
      startedAtMs,
      endedAt: startedAt,
      firstOutputAt: undefined,
      model: request.model,
      provider: undefined,
      keyId: undefined,
      credentialSource: undefined,
      attempts: 0,
      fallbackFrom: [],
      secrets: [],
      completion: undefined,
      usage: undefined,
      finishReason: undefined,
      error: undefined,
      prices: config.prices,
    };
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    inflight.add(settled);
    const finish = (error?: unknown) => {
      record.endedAt = now();
      record.error = error;
      emit(redactKnownSecrets(buildGatewayLog(record), record.secrets));
      inflight.delete(settled);
      settle();
    };

    let result: UpstreamResult;
    try {
      result = await attemptAll(request, params, context, options, record);
    } catch (error) {
      finish(error);
      throw error;
    }

    if (result.kind === "json") {
      record.completion = result.completion.choices[0]?.message;
      record.usage = result.completion.usage;
      record.finishReason = result.completion.choices[0]?.finish_reason;
      finish();
      return result.completion;
    }

    const upstream = result;
    const accumulator = new CompletionAccumulator();
    async function* relay(): AsyncGenerator<OpenAIChatChunk> {
      let error: unknown;
      let completed = false;
      try {
        for await (const chunk of upstream.chunks) {
          accumulator.add(chunk);
          if (record.firstOutputAt === undefined && CompletionAccumulator.carriesOutput(chunk))
            record.firstOutputAt = now();
          if (!callerWantsUsage) {
            if (chunk.choices.length === 0 && chunk.usage) continue;
            if ("usage" in chunk) delete chunk.usage;
          }
          yield chunk;
        }
        completed = true;
      } catch (caught) {
        error = options.signal?.aborted ? new RequestAbortedError(caught) : caught;
        throw error;
      } finally {
        if (!completed && error === undefined) {
          // The consumer stopped early (break, abort, client gone): close the upstream connection.
          error = new RequestAbortedError();
        }
        if (!completed) upstream.cancel();
        record.completion = accumulator.message();
        record.usage = accumulator.usage;
        record.finishReason = accumulator.finishReason;
        finish(error);
      }
    }
    const generator = relay();
    return {
      provider: record.provider ?? "",
      model: record.model,
      [Symbol.asyncIterator]: () => generator,
    };
  }

  async function attemptAll(
    request: OpenAIChatRequest,
    params: KeywayParams,
    context: KeywayContext | undefined,
    options: ChatOptions,
    record: CallRecord,
  ): Promise<UpstreamResult> {
    const models = [request.model, ...(params.disable_fallback ? [] : (params.fallback_models ?? []))];
    const customerKeys = parseCustomerCredentials(
      params.customer_credentials ?? context?.customer_credentials,
    );
    const override = { ...context?.credential_override, ...params.credential_override };
    const retryParams = params.retry_params;
    const modelRetries = retryParams?.retry_enabled === false ? 0 : (retryParams?.num_retries ?? retries);
    const modelBaseDelay =
      retryParams?.retry_after !== undefined ? retryParams.retry_after * 1000 : baseDelayMs;
    let lastError: unknown;
    for (const [index, model] of models.entries()) {
      if (index > 0) record.fallbackFrom.push(models[index - 1] as string);
      record.model = model;
      const tried = new Set<string>();
      for (let attempt = 0; attempt <= modelRetries; attempt++) {
        let credential: Credential;
        let resolved: ReturnType<ProviderRegistry["resolve"]>;
        try {
          resolved = registry.resolve(model, options.provider);
          record.provider = resolved.provider.id;
          credential = resolveCredential({
            provider: resolved.provider,
            model,
            upstreamModel: resolved.upstreamModel,
            override,
            customerKeys,
            pool: pools.get(resolved.provider.id),
            env,
            exclude: tried,
            allowedBaseURLHosts: config.allowedBaseURLHosts ?? [],
            random,
          });
        } catch (error) {
          lastError = error;
          if (final(error)) throw error;
          break; // no such model or no key: try the next model
        }
        if (credential.keyId) tried.add(credential.keyId);
        if (credential.apiKey && !record.secrets.includes(credential.apiKey))
          record.secrets.push(credential.apiKey);
        record.keyId = credential.keyId;
        record.credentialSource = credential.source;
        record.attempts++;
        const pool = credential.source === "pool" ? pools.get(resolved.provider.id) : undefined;
        try {
          const result = await callUpstream({
            provider: resolved.provider,
            baseURL: credential.baseURL ?? resolved.provider.baseURL,
            apiKey: credential.apiKey,
            upstreamModel: resolved.upstreamModel,
            requestedModel: model,
            request: { ...request, model },
            signal: options.signal,
            timeoutMs,
            bodyLimits,
            transport,
          });
          if (pool && credential.keyId) pool.report(credential.keyId, 200);
          return result;
        } catch (error) {
          lastError = error;
          const status = KeywayError.isInstance(error)
            ? ((error as { upstreamStatus?: number }).upstreamStatus ?? error.statusCode)
            : 0;
          const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
          if (pool && credential.keyId && !RequestAbortedError.isInstance(error))
            pool.report(credential.keyId, status, retryAfterMs);
          if (final(error)) throw error;
          // Another key can be tried at once (after the base backoff); the same key must wait its Retry-After.
          const anotherKey =
            (pool?.size ?? 0) > tried.size ||
            customerKeys.filter((key) => key.provider === resolved.provider.id).length > tried.size;
          // A key the provider refuses (401/403) says nothing about the request: the next key of the same
          // pool (or of the customer's own keys — never swapped for ours) may serve it.
          const keysOfSource =
            credential.source === "pool"
              ? (pool?.size ?? 0)
              : credential.source === "customer"
                ? customerKeys.filter((key) => key.provider === resolved.provider.id).length
                : 1;
          const keyRefused = (status === 401 || status === 403) && keysOfSource > tried.size;
          if ((!retryable(error) && !keyRefused) || attempt === modelRetries) break;
          let delay = keyRefused ? 0 : backoffDelay(attempt, modelBaseDelay, maxDelayMs, random);
          if (retryAfterMs !== undefined && !anotherKey) {
            if (retryAfterMs > maxRetryAfterMs) break;
            delay = Math.max(delay, retryAfterMs);
          }
          await sleep(delay, options.signal);
        }
      }
    }
    throw lastError;
  }

  const gateway: Gateway = {
    chat: chat as Gateway["chat"],
    fetch: undefined as unknown as typeof globalThis.fetch,
    keyHealth: () => [...pools.values()].flatMap((pool) => pool.health()),
    providers: registry,
    get sink() {
      return getSink();
    },
    close,
  };
  gateway.fetch = createFetchHandler(gateway, {
    maxBodyBytes: config.maxBodyBytes ?? gatewayDefaults.maxBodyBytes,
  });
  return gateway;
}
