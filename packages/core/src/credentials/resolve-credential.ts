import { CredentialsMissingError, InvalidRequestError } from "../errors/errors.js";
import type { ProviderSpec } from "../providers/provider-spec.js";
import { awsEnvKeys, awsKeysOf } from "./aws-keys.js";
import { checkBaseURL } from "./base-url-allow-list.js";
import { type CustomerKey, keyServesModel, parseCustomerCredentials } from "./customer-credentials.js";
import { fingerprintKey } from "./fingerprint.js";
import type { KeyPool } from "./key-pool.js";
import { GOOGLE_TOKEN_URI, serviceAccountOf } from "./service-account.js";
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
  /** Vertex AI: the project and location the call goes to. */
  project?: string;
  location?: string;
  /** AWS: the region the call goes to. */
  region?: string;
  /** Azure: the credential's own model → deployment names. */
  modelNameMap?: Record<string, string>;
  /** Every secret the credential holds (a service account's private key besides its JSON): redacted everywhere. */
  secrets?: readonly string[];
}

export interface CredentialRequest {
  provider: ProviderSpec;
  /** The model as requested (`groq/llama-3.1-8b-instant`) and as the provider knows it. */
  model: string;
  upstreamModel: string;
  override?: Record<string, Record<string, unknown>> | undefined;
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
  const key = keyFor(request);
  const auth = request.provider.auth;
  const credential =
    auth === "google-oauth" ? vertexPlace(key, request) : auth === "sigv4" ? awsPlace(key, request) : key;
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

/**
 * Where a Vertex AI call goes and what it must never show: the credential's project (else the provider's, the
 * service account's, the env's) and location (else `us-central1`); a service account a request brought may only
 * send its signed token request to Google's token endpoint (or an allow-listed host) — anything else would let a
 * caller aim the gateway at any service it can reach.
 */
function vertexPlace(credential: Credential, request: CredentialRequest): Credential {
  if (!credential.apiKey) return credential;
  const field = `customer_credentials.${request.provider.id}.vertex_ai_credentials`;
  const account = serviceAccountOf(credential.apiKey, field);
  if (
    (credential.source === "customer" || credential.source === "override") &&
    account.token_uri !== GOOGLE_TOKEN_URI
  )
    checkBaseURL(account.token_uri, request.allowedBaseURLHosts, `${field}.token_uri`);
  const { env, provider } = request;
  return {
    ...credential,
    project:
      credential.project ??
      provider.project ??
      account.project_id ??
      env.VERTEXAI_PROJECT ??
      env.GOOGLE_CLOUD_PROJECT ??
      "",
    location: credential.location ?? provider.location ?? env.VERTEXAI_LOCATION ?? "us-central1",
    secrets: [credential.apiKey, account.private_key],
  };
}

/** Where a Bedrock call goes and what it must never show: the region, and the secret key and session token. */
function awsPlace(credential: Credential, request: CredentialRequest): Credential {
  const { env, provider } = request;
  const keys = credential.apiKey
    ? awsKeysOf(credential.apiKey, `customer_credentials.${provider.id}`)
    : undefined;
  return {
    ...credential,
    region: credential.region ?? provider.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(credential.apiKey
      ? {
          secrets: [
            credential.apiKey,
            ...(keys ? [keys.secretAccessKey, keys.sessionToken ?? ""] : []),
          ].filter(Boolean),
        }
      : {}),
  };
}

function keyFor(request: CredentialRequest): Credential {
  const { provider, model, upstreamModel } = request;
  const given = request.override?.[model] ?? request.override?.[upstreamModel];
  const override = given
    ? parseCustomerCredentials({ [provider.id]: given }, `credential_override.${model}`)[0]
    : undefined;
  if (override) {
    return {
      apiKey: override.apiKey,
      keyId: fingerprintKey(override.apiKey),
      source: "override",
      ...(override.apiVersion ? { apiVersion: override.apiVersion } : {}),
      ...(override.project ? { project: override.project } : {}),
      ...(override.location ? { location: override.location } : {}),
      ...(override.region ? { region: override.region } : {}),
      ...(override.modelNameMap ? { modelNameMap: override.modelNameMap } : {}),
      ...(override.apiBase
        ? {
            baseURL: checkBaseURL(
              override.apiBase,
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
        ...(chosen.key.project ? { project: chosen.key.project } : {}),
        ...(chosen.key.location ? { location: chosen.key.location } : {}),
        ...(chosen.key.region ? { region: chosen.key.region } : {}),
        ...(chosen.key.modelNameMap ? { modelNameMap: chosen.key.modelNameMap } : {}),
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
  if (picked)
    return {
      apiKey: picked.apiKey,
      keyId: picked.keyId,
      source: "pool",
      ...(picked.baseURL ? { baseURL: picked.baseURL } : {}),
    };

  const envVars = provider.envVar ? [provider.envVar, ...(provider.altEnvVars ?? [])] : [];
  // Bedrock also takes the standard AWS keys from the env (its API key, AWS_BEARER_TOKEN_BEDROCK, first).
  const fromEnv =
    envVars.map((name) => request.env[name]).find(Boolean) ??
    (provider.auth === "sigv4" ? awsEnvKeys(request.env) : undefined);
  if (fromEnv) return { apiKey: fromEnv, keyId: fingerprintKey(fromEnv), source: "env" };

  if (provider.keyOptional) return { apiKey: undefined, keyId: undefined, source: "none" };
  throw new CredentialsMissingError(provider.id, [
    `credential_override["${model}"]`,
    `customer_credentials["${provider.id}"]`,
    `the gateway's providers.${provider.id}.keys`,
    envVars.length > 0 ? `env ${envVars.join(" or ")}` : "no env var for this provider",
  ]);
}
