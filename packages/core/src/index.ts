export { DEFAULT_LOCAL_API_KEY, DEFAULT_LOG_BASE_URL, readEnv } from "./config/env.js";
export { currentContext, type KeywayContext, runWithContext } from "./context/context.js";
export {
  type Identity,
  type IdentityInput,
  type IdentitySources,
  resolveIdentity,
} from "./context/resolve-identity.js";
export { hostAllowed } from "./credentials/base-url-allow-list.js";
export {
  type CustomerKey,
  keyServesModel,
  parseCustomerCredentials,
} from "./credentials/customer-credentials.js";
export { fingerprintKey } from "./credentials/fingerprint.js";
export {
  type CooldownPolicy,
  defaultCooldownPolicy,
  type KeyHealth,
  KeyPool,
} from "./credentials/key-pool.js";
export {
  type Credential,
  type CredentialSource,
  resolveCredential,
} from "./credentials/resolve-credential.js";
export {
  ConfigError,
  CredentialsMissingError,
  ForbiddenBaseURLError,
  GatewayClosedError,
  GatewayStateError,
  InvalidRequestError,
  ProviderError,
  RequestAbortedError,
  UnknownModelError,
  UpstreamTimeoutError,
} from "./errors/errors.js";
export { hasErrorMark, KeywayError, type KeywayErrorOptions, markError } from "./errors/keyway-error.js";
export { type StderrWarnerOptions, stderrWarner } from "./errors/stderr-warner.js";
export {
  type ChatMethod,
  type ChatOptions,
  type ChatRequest,
  type ChatStream,
  createGateway,
  type EmbeddingsRequest,
  type Gateway,
  type GatewayUsage,
} from "./gateway/create-gateway.js";
export { type GatewayConfig, gatewayDefaults } from "./gateway/gateway-config.js";
export {
  type Budget,
  type BudgetDuration,
  BudgetExceededError,
  type BudgetUsage,
  budgetPeriod,
} from "./gateway/governance/budgets.js";
export { type GatewayState, memoryGatewayState } from "./gateway/governance/gateway-state.js";
export type { CallerLimits } from "./gateway/governance/governance.js";
export { type RateLimit, RateLimitExceededError, type RateLimits } from "./gateway/governance/rate-limits.js";
export {
  type RedisGatewayStateOptions,
  redisGatewayState,
} from "./gateway/governance/redis-gateway-state.js";
export { callerKeyOf, type HeaderGetter, modelList } from "./gateway/http/answer-request.js";
export {
  type ErrorBody,
  errorResponseBody,
  errorStatus,
  renderError,
} from "./gateway/http/error-renderer.js";
export { errorFaceOfPath } from "./gateway/http/gateway-routes.js";
export { type ServeGatewayOptions, serveGateway } from "./gateway/http/node-edge.js";
export { toNodeHandler } from "./gateway/http/node-handler.js";
export { type KeywayParams, keywayParamNames, readKeywayParams } from "./gateway/request/keyway-params.js";
export { parseJsonBody, readBody, readJsonBody } from "./gateway/request/read-json-body.js";
export {
  type BoundGateway,
  bindGateway,
  type RequestContextOptions,
  requestContext,
} from "./gateway/request-context.js";
export { applyUsage, type LogUsage } from "./log/apply-usage.js";
export { dropContent } from "./log/disable-log.js";
export { type NormalizeOptions, normalizeGatewayLog, normalizeLog } from "./log/normalize-log.js";
export { type PrepareLogOptions, prepareLog, serializePreparedLog } from "./log/prepare-log.js";
export { mayHoldSecrets, REDACTED, redactText, redactValue, truncateStrings } from "./log/redact.js";
export { INVALID_FIELDS_KEY, repairLog } from "./log/repair-log.js";
export {
  type ChatMessage,
  type CustomerParams,
  contentFields,
  type LogSource,
  type RequestLog,
  type RequestLogDraft,
} from "./log/request-log.js";
export { chatMessageSchema, type RequestLogInput, requestLogInputSchema } from "./log/request-log-schema.js";
export { withLogId } from "./log/with-log-id.js";
export { GatewayMetrics, type GatewayMetricsOptions, type MetricSource } from "./metrics/gateway-metrics.js";
export { metricsHandler } from "./metrics/metrics-handler.js";
export {
  type CostResult,
  computeCost,
  type ModelPrices,
  splitModelId,
  type TokenUsage,
} from "./pricing/compute-cost.js";
export { paramTable } from "./providers/param-table.js";
export { type ProviderConfig, ProviderRegistry, type ResolvedModel } from "./providers/provider-registry.js";
export { builtInProviders, type ProviderSpec, type WireFormatId } from "./providers/provider-spec.js";
export { providerTable } from "./providers/provider-table.js";
export { backoffDelay, parseRetryAfter } from "./transport/backoff.js";
export { ConsoleLogSink } from "./transport/console-log-sink.js";
export { type CreateSinkOptions, createSink } from "./transport/create-sink.js";
export { HttpLogSink, type HttpLogSinkOptions } from "./transport/http-log-sink.js";
export type { LogDeliveryIssue, LogSink, SinkCounters } from "./transport/log-sink.js";
export { MemoryLogSink } from "./transport/memory-log-sink.js";
export { defaultSpoolDir, Spool } from "./transport/spool.js";
export { DEFAULT_ANTHROPIC_MAX_TOKENS, toAnthropicRequest } from "./wire/anthropic/anthropic-request.js";
export {
  finishReasonOf,
  fromAnthropicMessage,
  usageFromAnthropic,
} from "./wire/anthropic/anthropic-response.js";
export { AnthropicStreamTranslator } from "./wire/anthropic/anthropic-stream.js";
export type * from "./wire/openai-types.js";
export {
  DEFAULT_MAX_SSE_EVENT_CHARS,
  type ParseSseOptions,
  parseSse,
  type SseEvent,
  sseData,
} from "./wire/sse.js";
