import { fingerprintKey } from "@keyway/core";
import { configKeys, type PoolEntry } from "../../settings/gateway-providers.js";
import { canonicalProvider } from "../../settings/live-gateway.js";
import type { ProviderKeyRecord } from "../../settings/settings-records.js";
import type { AdminContext } from "./admin-context.js";

/** What the API shows of a key: how to tell it apart, never the key. */
export interface KeyView {
  id: string;
  fingerprint: string;
  last4: string;
  weight: number;
  enabled: boolean;
  source: "api" | "config" | "env";
  kind?: string;
}

export const storedKeyView = (record: ProviderKeyRecord): KeyView => ({
  id: record.id,
  fingerprint: record.fingerprint,
  last4: record.last4,
  weight: record.weight,
  enabled: record.enabled,
  source: "api",
  kind: record.kind,
});

function configKeyView(entry: PoolEntry, index: number): KeyView {
  const identifying =
    "accessKeyId" in entry ? entry.accessKeyId : "azureAdToken" in entry ? entry.azureAdToken : entry.apiKey;
  const secret = "accessKeyId" in entry ? `${entry.accessKeyId}:${entry.secretAccessKey}` : identifying;
  return {
    id: `config-${index}`,
    fingerprint: fingerprintKey(secret),
    last4: identifying.slice(-4),
    weight: entry.weight ?? 1,
    enabled: true,
    source: "config",
  };
}

/** A provider as the API lists it: built-in or custom, its settings (no secret), keys and models. */
export function providerView(id: string, context: AdminContext) {
  const { settings, registry, fileProviders, env } = context;
  const managed = settings.current;
  const spec = registry().get(id);
  const record = managed.providers.get(id);
  const fileEntry = Object.entries(fileProviders).find(([name]) => canonicalProvider(name) === id)?.[1];
  const keys: KeyView[] = [
    ...(fileEntry ? configKeys(fileEntry).map(configKeyView) : []),
    ...managed.keysOf(id).map(storedKeyView),
  ];
  const envVar = [spec?.envVar, ...(spec?.altEnvVars ?? [])].find((name) => name && env[name]);
  // The env's key is used only when no key is pooled for the provider.
  if (envVar && keys.length === 0) {
    const key = env[envVar] as string;
    keys.push({
      id: `env-${envVar}`,
      fingerprint: fingerprintKey(key),
      last4: key.slice(-4),
      weight: 1,
      enabled: true,
      source: "env",
    });
  }
  const usable = keys.some((key) => key.enabled) || Boolean(spec?.keyOptional);
  return {
    id,
    provider_id: id,
    provider_name: record?.provider_name ?? id,
    custom: record?.custom ?? Boolean(spec?.custom),
    base_url: record?.base_url ?? spec?.baseURL ?? null,
    extra_kwargs: { ...(record?.base_url ? { base_url: record.base_url } : {}), ...record?.extra },
    format: spec?.format ?? null,
    status: usable ? "ready" : "no_key",
    keys,
    models: [...managed.models.values()]
      .filter((model) => model.provider_id === id)
      .map((model) => model.model_id),
    created_at: record?.created_at ?? null,
    updated_at: record?.updated_at ?? null,
  };
}
