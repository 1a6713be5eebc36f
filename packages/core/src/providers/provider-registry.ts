import { ConfigError, InvalidRequestError, UnknownModelError } from "../errors/errors.js";
import { builtInProviders, modelFamilies, type ProviderSpec } from "./provider-spec.js";

/** A provider's settings in `KeywayConfig.providers`. */
export interface ProviderConfig {
  /** One key; shorthand for `keys: [{ apiKey }]`. */
  apiKey?: string;
  /** A key pool: weighted choice among healthy keys. */
  keys?: (
    | { apiKey: string; weight?: number; baseURL?: string }
    | { azureAdToken: string; weight?: number; baseURL?: string }
    | AwsKeyConfig
  )[];
  /** Azure: an Entra ID (Azure AD) access token, sent as a bearer token instead of an `api-key`. */
  azureAdToken?: string;
  /** Overrides the built-in base URL (or sets a custom provider's). */
  baseURL?: string;
  /** For a custom provider: the model ids it serves without a prefix. */
  models?: string[];
  headers?: Record<string, string>;
  /** For a custom provider: its wire format (default `openai-chat`). */
  format?: ProviderSpec["format"];
  /** Azure: the `api-version` its endpoints take. */
  apiVersion?: string;
  /**
   * Model id → the name the upstream knows it by: Azure's deployment names (`{ "gpt-4o": "prod-gpt4o" }`, so
   * `azure/gpt-4o` reaches `prod-gpt4o`), or a model of `models` served under another upstream name.
   */
  deployments?: Record<string, string>;
  /** Vertex AI: the Google Cloud project and location (default: the service account's project, `us-central1`). */
  project?: string;
  location?: string;
  /** Vertex AI: the service account's JSON key (an object, its text, or a path to the file). */
  serviceAccount?: string | object;
  /** AWS Bedrock: the region, and static keys (`sessionToken` for temporary ones); or `apiKey`, a Bedrock API key. */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** A pool entry of AWS keys (a pool of AWS accounts). */
export interface AwsKeyConfig {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  weight?: number;
}

export interface ResolvedModel {
  provider: ProviderSpec;
  /** The model id the provider expects (the prefix removed, a deployment name for its model mapped). */
  upstreamModel: string;
}

function served(provider: ProviderSpec, upstreamModel: string): ResolvedModel {
  if (provider.retired)
    throw new InvalidRequestError(`Provider "${provider.id}": ${provider.retired}.`, {
      field: "model",
      code: "provider_retired",
    });
  const variant = provider.variants?.find((entry) => entry.pattern.test(upstreamModel));
  return {
    provider: variant ? { ...provider, format: variant.format } : provider,
    upstreamModel: provider.deployments?.[upstreamModel] ?? upstreamModel,
  };
}

/** Providers known to one gateway: the built-in ones with config applied, plus custom ones. */
export class ProviderRegistry {
  readonly #providers = new Map<string, ProviderSpec>();
  readonly #aliases = new Map<string, string>();

  constructor(config: Record<string, ProviderConfig> = {}) {
    for (const spec of builtInProviders) {
      this.#providers.set(spec.id, spec);
      for (const alias of spec.aliases ?? []) this.#aliases.set(alias, spec.id);
    }
    for (const [given, settings] of Object.entries(config)) {
      const id = this.#aliases.get(given) ?? given;
      const builtIn = this.#providers.get(id);
      if (!builtIn && !settings.baseURL) {
        throw new ConfigError(
          `Provider "${id}" is not built in; a custom provider needs a baseURL (and the models it serves).`,
        );
      }
      this.#providers.set(id, {
        ...(builtIn ?? {
          id,
          format: settings.format ?? "openai-chat",
          custom: true,
          keyOptional: true,
          embeddings: (settings.format ?? "openai-chat") === "openai-chat",
        }),
        id,
        baseURL: (settings.baseURL ?? builtIn?.baseURL ?? "").replace(/\/+$/, ""),
        ...(settings.headers ? { headers: settings.headers } : {}),
        ...(settings.models ? { models: settings.models } : {}),
        ...(settings.apiVersion ? { apiVersion: settings.apiVersion } : {}),
        ...(settings.deployments ? { deployments: settings.deployments } : {}),
        ...(settings.project ? { project: settings.project } : {}),
        ...(settings.location ? { location: settings.location } : {}),
        ...(settings.region ? { region: settings.region } : {}),
      } as ProviderSpec);
    }
  }

  /** A provider by its id or an alias of it (`gemini` → `google`). */
  get(id: string): ProviderSpec | undefined {
    return this.#providers.get(this.#aliases.get(id) ?? id);
  }

  ids(): string[] {
    return [...this.#providers.keys()];
  }

  all(): ProviderSpec[] {
    return [...this.#providers.values()];
  }

  /**
   * Which provider serves `model`: an explicit hint wins; then a `provider/` prefix; then exact custom model ids;
   * then families (`claude-*`, `gpt-*`/`o1*`/`o3*`/`o4*`, `accounts/fireworks/…`).
   */
  resolve(model: string, hint?: string): ResolvedModel {
    if (hint) {
      const provider = this.get(hint);
      if (!provider) throw new UnknownModelError(`${hint}/${model}`, this.ids());
      return served(provider, model.startsWith(`${hint}/`) ? model.slice(hint.length + 1) : model);
    }
    const slash = model.indexOf("/");
    if (slash > 0) {
      const provider = this.get(model.slice(0, slash));
      if (provider) return served(provider, model.slice(slash + 1));
    }
    for (const provider of this.#providers.values()) {
      if (provider.models?.includes(model)) return served(provider, model);
    }
    for (const family of modelFamilies) {
      const provider = this.#providers.get(family.provider);
      if (provider && family.pattern.test(model)) return { provider, upstreamModel: model };
    }
    throw new UnknownModelError(model, this.ids());
  }
}
