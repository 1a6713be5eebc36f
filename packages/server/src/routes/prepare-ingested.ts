import type { ModelPrices } from "@keyway/core";
import {
  computeCost,
  InvalidRequestError,
  mayHoldSecrets,
  normalizeLog,
  type RequestLog,
  redactValue,
  truncateStrings,
} from "@keyway/core";
import { rememberJson } from "../store/log-json.js";
import { boundLogSize } from "./bound-log-size.js";

export interface IngestOptions {
  prices?: Record<string, ModelPrices>;
  /** Longest string kept in a stored log; longer ones are cut with a marker. */
  maxStringChars: number;
  /** Largest stored log, serialized; its biggest fields are cut with a marker past it. */
  maxLogChars: number;
}

/**
 * One received log as it will be stored: normalized to the one shape (400 naming the field otherwise), cost
 * computed from the price table when the sender gave none, secrets redacted, huge strings cut.
 */
export function prepareIngested(input: unknown, options: IngestOptions, fieldPrefix = ""): RequestLog {
  let log: RequestLog;
  try {
    log = normalizeLog(input);
  } catch (error) {
    if (InvalidRequestError.isInstance(error) && fieldPrefix) {
      throw new InvalidRequestError(error.message.replace('field "', `field "${fieldPrefix}`), {
        field: `${fieldPrefix}${error.field ?? ""}`,
        code: error.code,
      });
    }
    throw error;
  }
  return prepareStored(log, options);
}

/** A normalized log as it will be stored: its cost when it has none, secrets redacted, huge strings cut. */
export function prepareStored(log: RequestLog, options: IngestOptions): RequestLog {
  if (log.cost === undefined && log.model) {
    const cost = computeCost(
      log.model,
      {
        promptTokens: log.prompt_tokens,
        completionTokens: log.completion_tokens,
        cacheReadTokens: log.prompt_cache_hit_tokens,
        cacheWriteTokens: log.prompt_cache_creation_tokens,
      },
      { provider: log.provider_id, ...(options.prices ? { customPrices: options.prices } : {}) },
    );
    if (cost) {
      log.cost = cost.cost;
      log.prompt_unit_price ??= cost.promptUnitPrice;
      log.completion_unit_price ??= cost.completionUnitPrice;
    }
  }
  // Most logs hold no secret and no huge string: one scan of the serialized log spares them two deep walks.
  const json = JSON.stringify(log);
  if (json.length <= options.maxStringChars && !mayHoldSecrets(json)) {
    rememberJson(log, json);
    return log;
  }
  const cleaned = truncateStrings(redactValue(log), options.maxStringChars);
  return boundLogSize(cleaned, JSON.stringify(cleaned), options.maxLogChars);
}
