import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  type Budget,
  ConfigError,
  type ModelPrices,
  type ProviderConfig,
  type RateLimits,
  readEnv,
} from "@keyway/core";
import { type AlertRule, checkAlertRules } from "../alerts/alert-rules.js";
import { type LogFormat, logFormats } from "../events/server-events.js";
import type { ConfiguredApiKey } from "../http/auth.js";
import type { KeywayServerOptions } from "../keyway-server.js";
import { scopes } from "../settings/settings-records.js";

/** Keys of the config file checked: a scope that does not exist is a start-up error, not a key that can do less. */
function checkApiKeys(keys: unknown): (string | ConfiguredApiKey)[] | undefined {
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys)) throw new ConfigError("apiKeys must be a list of keys or {key, name, scopes}.");
  return keys.map((entry, index) => {
    if (typeof entry === "string" && entry) return entry;
    const given = entry as Partial<ConfiguredApiKey> | null;
    if (typeof given?.key !== "string" || !given.key)
      throw new ConfigError(`apiKeys[${index}] must be a key or {key, name?, scopes?}.`);
    if (given.name !== undefined && typeof given.name !== "string")
      throw new ConfigError(`apiKeys[${index}].name must be a string.`);
    if (given.scopes !== undefined) {
      const wrong = Array.isArray(given.scopes)
        ? given.scopes.find((scope) => !scopes.includes(scope))
        : given.scopes;
      if (!Array.isArray(given.scopes) || wrong !== undefined || given.scopes.length === 0)
        throw new ConfigError(
          `apiKeys[${index}].scopes must be a non-empty list of ${scopes.join(", ")}${wrong !== undefined ? ` (not ${JSON.stringify(wrong)})` : ""}.`,
        );
    }
    return given as ConfiguredApiKey;
  });
}

/** `keyway.config.json`: everything optional. */
export interface ServerConfigFile {
  port?: number;
  host?: string;
  db?: string;
  /** Keys with every scope, or `{key, name?, scopes?}` to name a key and give it fewer. */
  apiKeys?: (string | ConfiguredApiKey)[];
  providers?: Record<string, ProviderConfig>;
  prices?: Record<string, ModelPrices>;
  allowedBaseURLHosts?: string[];
  /** `redis://…`: the gateway's cache and budget spend shared by every instance pointed at it. */
  redis?: string;
  /** Budgets per customer id (USD), as in Respan's `customer_params`. */
  budgets?: Record<string, Budget>;
  /** Requests and tokens per minute, per customer and per API key (`perCustomer`, `perApiKey`). */
  rateLimits?: RateLimits;
  /** Prometheus metrics: `false` turns them off; `labels` opts in `customer` / `metadata.<key>`; `port` as `--metrics-port`. */
  metrics?: false | { labels?: string[]; port?: number };
  /** Alert rules: error rate, p95 latency, budget, keys down, ingest rejected; each posts to its webhook. */
  alerts?: AlertRule[];
  /** `host:port` entries alert webhooks may reach though internal (a receiver inside the network) or plain http. */
  allowedWebhookHosts?: string[];
  /** The server's own log lines: `text` (default) or one JSON object per line. */
  logFormat?: LogFormat;
}

export interface ServeFlags {
  port?: string | undefined;
  host?: string | undefined;
  db?: string | undefined;
  apiKey?: string[] | undefined;
  config?: string | undefined;
  redis?: string | undefined;
  drainMs?: string | undefined;
  metricsPort?: string | undefined;
  noMetrics?: boolean | undefined;
  logFormat?: string | undefined;
}

function readConfigFile(path: string | undefined): ServerConfigFile {
  const file = resolve(path ?? "keyway.config.json");
  if (!existsSync(file)) {
    if (path) throw new ConfigError(`Config file ${file} does not exist.`);
    return {};
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ServerConfigFile;
  } catch (error) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Server options: flags win over env (`KEYWAY_PORT`, `KEYWAY_DB`, `KEYWAY_API_KEYS`, `KEYWAY_REDIS_URL`, `KEYWAY_DRAIN_MS`, `KEYWAY_METRICS_PORT`, `KEYWAY_LOG_FORMAT`), over the config file, over defaults. */
export function resolveServeOptions(
  flags: ServeFlags,
  env: Record<string, string | undefined> = process.env,
): KeywayServerOptions {
  const file = readConfigFile(flags.config ?? readEnv("KEYWAY_CONFIG", env));
  const portText = flags.port ?? readEnv("KEYWAY_PORT", env);
  const port = portText !== undefined ? Number(portText) : (file.port ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`Port must be an integer 0–65535, got "${portText}".`);
  const envKeys = readEnv("KEYWAY_API_KEYS", env)
    ?.split(",")
    .map((key) => key.trim())
    .filter(Boolean);
  const redis = flags.redis ?? readEnv("KEYWAY_REDIS_URL", env) ?? file.redis;
  const drainText = flags.drainMs ?? readEnv("KEYWAY_DRAIN_MS", env);
  const drainMs = drainText !== undefined ? Number(drainText) : 0;
  if (!Number.isInteger(drainMs) || drainMs < 0)
    throw new ConfigError(`Drain time must be a whole number of milliseconds, got "${drainText}".`);
  const metricsFile = file.metrics === false ? undefined : file.metrics;
  const metricsPortText = flags.metricsPort ?? readEnv("KEYWAY_METRICS_PORT", env);
  const metricsPort = metricsPortText !== undefined ? Number(metricsPortText) : metricsFile?.port;
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535))
    throw new ConfigError(
      `Metrics port must be an integer 0–65535, got "${metricsPortText ?? metricsPort}".`,
    );
  const metricsOff = flags.noMetrics === true || file.metrics === false;
  if (metricsOff && metricsPort !== undefined)
    throw new ConfigError("A metrics port was given with metrics turned off.");
  const logFormat = flags.logFormat ?? readEnv("KEYWAY_LOG_FORMAT", env) ?? file.logFormat ?? "text";
  if (!logFormats.includes(logFormat as LogFormat))
    throw new ConfigError(`Log format must be ${logFormats.join(" or ")}, got "${logFormat}".`);
  const alerts = checkAlertRules(file.alerts, file.budgets);
  if (
    file.allowedWebhookHosts !== undefined &&
    (!Array.isArray(file.allowedWebhookHosts) ||
      file.allowedWebhookHosts.some((host) => typeof host !== "string"))
  )
    throw new ConfigError("allowedWebhookHosts must be a list of host:port entries.");
  const apiKeys =
    flags.apiKey && flags.apiKey.length > 0 ? flags.apiKey : (envKeys ?? checkApiKeys(file.apiKeys));
  return {
    port,
    host: flags.host ?? readEnv("KEYWAY_HOST", env) ?? file.host ?? "127.0.0.1",
    dbPath: flags.db ?? readEnv("KEYWAY_DB", env) ?? file.db ?? "./keyway.db",
    ...(apiKeys ? { apiKeys } : {}),
    ...(drainMs ? { drainMs } : {}),
    ...(metricsOff
      ? { metrics: false }
      : metricsFile?.labels
        ? { metrics: { labels: metricsFile.labels } }
        : {}),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(file.prices ? { prices: file.prices } : {}),
    ...(alerts.length > 0 ? { alerts } : {}),
    ...(file.allowedWebhookHosts ? { allowedWebhookHosts: file.allowedWebhookHosts } : {}),
    logFormat: logFormat as LogFormat,
    gateway: {
      ...(file.providers ? { providers: file.providers } : {}),
      ...(file.allowedBaseURLHosts ? { allowedBaseURLHosts: file.allowedBaseURLHosts } : {}),
      ...(redis ? { redis } : {}),
      ...(file.budgets ? { budgets: file.budgets } : {}),
      ...(file.rateLimits ? { rateLimits: file.rateLimits } : {}),
    },
  };
}
