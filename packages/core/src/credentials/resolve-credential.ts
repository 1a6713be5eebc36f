import { CredentialsMissingError } from "../errors/errors.js";
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
  /** A per-request base URL (allow-listed), replacing the provider's. */
  baseURL?: string;
}

export interface CredentialRequest {
  provider: ProviderSpec;
  /** The model as requested (`groq/llama-3.1-8b-instant`) and as the provider knows it. */
  model: string;
  upstreamModel: string;
  override?: Record<string, { api_key?: string; api_base?: string }> | undefined;
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
  const { provider, model, upstreamModel } = request;
  const override = request.override?.[model] ?? request.override?.[upstreamModel];
  if (override?.api_key) {
    return {
      apiKey: override.api_key,
      keyId: fingerprintKey(override.api_key),
      source: "override",
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
