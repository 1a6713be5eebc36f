export { DEFAULT_LOG_BASE_URL, readEnv } from "./config/env.js";
export { currentContext, type KeywayContext, runWithContext } from "./context/context.js";
export {
  ConfigError,
  CredentialsMissingError,
  ForbiddenBaseURLError,
  InvalidRequestError,
  ProviderError,
  RequestAbortedError,
  UnknownModelError,
  UpstreamTimeoutError,
} from "./errors/errors.js";
export { KeywayError, type KeywayErrorOptions } from "./errors/keyway-error.js";
export { dropContent } from "./log/disable-log.js";
export { type NormalizeOptions, normalizeLog } from "./log/normalize-log.js";
export { type PrepareLogOptions, prepareLog } from "./log/prepare-log.js";
export { REDACTED, redactText, redactValue, truncateStrings } from "./log/redact.js";
export {
  type ChatMessage,
  type CustomerParams,
  contentFields,
  type LogSource,
  type RequestLog,
} from "./log/request-log.js";
export { chatMessageSchema, type RequestLogInput, requestLogInputSchema } from "./log/request-log-schema.js";
export {
  type CostResult,
  computeCost,
  type ModelPrices,
  splitModelId,
  type TokenUsage,
} from "./pricing/compute-cost.js";
export { backoffDelay, parseRetryAfter } from "./transport/backoff.js";
export { ConsoleLogSink } from "./transport/console-log-sink.js";
export { type CreateSinkOptions, createSink } from "./transport/create-sink.js";
export { HttpLogSink, type HttpLogSinkOptions } from "./transport/http-log-sink.js";
export type { LogDeliveryIssue, LogSink, SinkCounters } from "./transport/log-sink.js";
export { MemoryLogSink } from "./transport/memory-log-sink.js";
export { defaultSpoolDir, Spool } from "./transport/spool.js";
