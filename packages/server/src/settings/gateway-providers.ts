import type { ModelPrices, ProviderConfig } from "@keyway/core";
import type { ManagedSettings } from "./managed-settings.js";
import type { ModelRecord, ProviderKeyRecord } from "./settings-records.js";

export type PoolEntry = NonNullable<ProviderConfig["keys"]>[number];

/** The keys a provider's config names, as pool entries (so stored keys can join them in one pool). */
export function configKeys(config: ProviderConfig): PoolEntry[] {
  if (config.keys) return [...config.keys];
  if (config.apiKey) return [{ apiKey: config.apiKey }];
  if (config.serviceAccount !== undefined)
    return [
      {
        apiKey:
          typeof config.serviceAccount === "object"
            ? JSON.stringify(config.serviceAccount)
            : config.serviceAccount,
      },
    ];
  if (config.accessKeyId && config.secretAccessKey)
    return [
      {
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
        ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
      },
    ];
  if (config.azureAdToken) return [{ azureAdToken: config.azureAdToken }];
  return [];
}

function poolEntry(record: ProviderKeyRecord, plain: string): PoolEntry {
  const weight = { weight: record.weight };
  if (record.kind === "aws")
    return { ...(JSON.parse(plain) as { accessKeyId: string; secretAccessKey: string }), ...weight };
  if (record.kind === "azure_ad_token") return { azureAdToken: plain, ...weight };
  // An API key, or a service account's JSON text (Vertex AI pools those as its keys).
  return { apiKey: plain, ...weight };
}

/** The ids a managed model answers to: its own and its aliases. */
const namesOf = (model: ModelRecord) => [model.model_id, ...(model.aliases ?? [])];

/**
 * The gateway's providers: the config file's, with the managed ones laid over them — base URLs and settings
 * from the API win, stored keys join the configured ones in one pool (disabled ones left out), managed models
 * are served by their provider under their id.
 */
export function gatewayProviders(
  fileByName: Record<string, ProviderConfig>,
  managed: ManagedSettings,
  canonical: (id: string) => string,
): Record<string, ProviderConfig> {
  // The file may name a provider by an alias (`gemini`); the managed records use its id (`google`).
  const file: Record<string, ProviderConfig> = {};
  for (const [name, config] of Object.entries(fileByName)) file[canonical(name)] = config;
  const ids = new Set([
    ...Object.keys(file),
    ...managed.providers.keys(),
    ...managed.keys.keys(),
    ...[...managed.models.values()].map((model) => model.provider_id),
  ]);
  const result: Record<string, ProviderConfig> = {};
  for (const id of ids) {
    const base = file[id] ?? {};
    const record = managed.providers.get(id);
    const stored = managed
      .keysOf(id)
      .filter((key) => key.enabled)
      .map((key) => poolEntry(key, managed.credential(key.id) as string));
    const models = [...managed.models.values()].filter((model) => model.provider_id === id);
    const config: ProviderConfig = { ...base };
    if (managed.keysOf(id).length > 0) {
      const keys = [...configKeys(base), ...stored];
      for (const field of [
        "apiKey",
        "serviceAccount",
        "accessKeyId",
        "secretAccessKey",
        "sessionToken",
        "azureAdToken",
      ] as const)
        delete config[field];
      // All stored keys disabled and none configured: no pool, so the call says no key is set, not a stale one.
      if (keys.length > 0) config.keys = keys;
      else delete config.keys;
    }
    if (record?.base_url) config.baseURL = record.base_url;
    const extra = record?.extra ?? {};
    if (extra.api_version) config.apiVersion = extra.api_version;
    if (extra.region) config.region = extra.region;
    if (extra.project) config.project = extra.project;
    if (extra.location) config.location = extra.location;
    if (extra.format) config.format = extra.format as ProviderConfig["format"];
    if (models.length > 0) {
      config.models = [...new Set([...(base.models ?? []), ...models.flatMap(namesOf)])];
      const deployments = { ...base.deployments };
      for (const model of models)
        for (const name of namesOf(model)) {
          // An alias reaches what its model reaches: the upstream name, or the model's own id.
          const upstream = model.upstream_model ?? model.model_id;
          if (upstream !== name) deployments[name] = upstream;
        }
      if (Object.keys(deployments).length > 0) config.deployments = deployments;
    }
    result[id] = config;
  }
  return result;
}

/** Prices of the managed models over the config file's (USD per 1M tokens). */
export function gatewayPrices(
  file: Record<string, ModelPrices> | undefined,
  managed: ManagedSettings,
): Record<string, ModelPrices> | undefined {
  const priced = [...managed.models.values()].filter(
    (model) => model.input_price !== undefined && model.output_price !== undefined,
  );
  if (priced.length === 0) return file;
  const prices = { ...file };
  for (const model of priced)
    for (const name of namesOf(model))
      prices[name] = { input: model.input_price as number, output: model.output_price as number };
  return prices;
}
