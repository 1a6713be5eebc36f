import { CredentialsMissingError, InvalidRequestError } from "../errors/errors.js";
import type { ProviderSpec } from "../providers/provider-spec.js";
import { checkBaseURL } from "./base-url-allow-list.js";
import { type CustomerKey, keyServesModel } from "./customer-credentials.js";
import { fingerprintKey } from "./fingerprint.js";
import type { KeyPool } from "./key-pool.js";
import { weightedChoice } from "./weighted-choice.js";

export type CredentialSource = "override" | "customer" | "pool" | "env" | "none";

export interface Credential {
  apiKey: string | undefined;
  keyId: string | undefined;
  source: CredentialSource;
  /** A per-request base URL (allow-listed), replacing the provider's, or the env's for a provider with none. */
  baseURL?: string;
  /** Azure: the credential's own `api-version`. */
  apiVersion?: string;
}

export interface CredentialRequest {
  provider: ProviderSpec;
  /** The model as requested (`groq/llama-3.1-8b-instant`) and as the provider knows it. */
  model: string;
  upstreamModel: string;
  override?: Record<string, { api_key?: string; api_base?: string; api_version?: string }> | undefined;
  customerKeys: readonly CustomerKey[];
  pool: KeyPool | undefined;
  env: Record<string, string | undefined>;
  /** Key ids already tried in this call: another key is preferred. */
  exclude: ReadonlySet<string>;
  allowedBaseURLHosts: readonly string[];
  random: () => number;
}

/**
 * The key for one attempt, in Respan's order: `credential_override[model]` → `customer_credentials[provider]`
 * → the configured key pool → the provider's env var. Throws `CredentialsMissingError` saying where it looked.
 */
export function resolveCredential(request: CredentialRequest): Credential {
  const credential = keyFor(request);
  if (credential.baseURL || request.provider.baseURL) return credential;
  // A provider with no public endpoint (Azure): the resource's endpoint from the env, or a clear error.
  const envBase = (request.provider.baseURLEnvVars ?? []).map((name) => request.env[name]).find(Boolean);
  if (envBase) return { ...credential, baseURL: envBase.replace(/\/+$/, "") };
  throw new InvalidRequestError(
    `Provider "${request.provider.id}" has no endpoint: set providers.${request.provider.id}.baseURL (your resource, e.g. https://{resource}.openai.azure.com)${
      request.provider.baseURLEnvVars?.length ? `, env ${request.provider.baseURLEnvVars.join(" or ")}` : ""
    }, or api_base in customer_credentials.${request.provider.id}.`,
    { code: "base_url_missing", field: "api_base", statusCode: 400 },
  );
}

function keyFor(request: CredentialRequest): Credential {
  const { provider, model, upstreamModel } = request;
  const override = request.override?.[model] ?? request.override?.[upstreamModel];
  if (override?.api_key) {
    return {
      apiKey: override.api_key,
      keyId: fingerprintKey(override.api_key),
      source: "override",
      ...(override.api_version ? { apiVersion: override.api_version } : {}),
      ...(override.api_base
        ? {
            baseURL: checkBaseURL(
              override.api_base,
              request.allowedBaseURLHosts,
              `credential_override.${model}.api_base`,
            ),
          }
        : {}),
    };
  }

  const customer = request.customerKeys.filter(
    (key) =>
      (key.provider === provider.id || (provider.aliases ?? []).includes(key.provider)) &&
      keyServesModel(key, [model, upstreamModel]),
  );
  if (customer.length > 0) {
    const withIds = customer.map((key) => ({ key, keyId: fingerprintKey(key.apiKey), weight: key.weight }));
    const fresh = withIds.filter((entry) => !request.exclude.has(entry.keyId));
    const chosen = weightedChoice(fresh.length > 0 ? fresh : withIds, request.random) ?? withIds[0];
    if (chosen) {
      return {
        apiKey: chosen.key.apiKey,
        keyId: chosen.keyId,
        source: "customer",
        ...(chosen.key.apiVersion ? { apiVersion: chosen.key.apiVersion } : {}),
        ...(chosen.key.apiBase
          ? {
              baseURL: checkBaseURL(
                chosen.key.apiBase,
                request.allowedBaseURLHosts,
                `customer_credentials.${provider.id}.api_base`,
              ),
            }
          : {}),
      };
    }
  }

  const picked = request.pool?.pick(request.random, request.exclude);
  if (picked) return { apiKey: picked.apiKey, keyId: picked.keyId, source: "pool" };

  const envVars = provider.envVar ? [provider.envVar, ...(provider.altEnvVars ?? [])] : [];
  const fromEnv = envVars.map((name) => request.env[name]).find(Boolean);
  if (fromEnv) return { apiKey: fromEnv, keyId: fingerprintKey(fromEnv), source: "env" };

  if (provider.keyOptional) return { apiKey: undefined, keyId: undefined, source: "none" };
  throw new CredentialsMissingError(provider.id, [
    `credential_override["${model}"]`,
    `customer_credentials["${provider.id}"]`,
    `the gateway's providers.${provider.id}.keys`,
    envVars.length > 0 ? `env ${envVars.join(" or ")}` : "no env var for this provider",
  ]);
}
