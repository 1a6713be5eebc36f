import { HttpError } from "../../http/http-error.js";
import { decodeSegment } from "../../http/query-filters.js";
import { canonicalProvider } from "../../settings/live-gateway.js";
import { sealContext } from "../../settings/managed-settings.js";
import type { ProviderKeyRecord, ProviderRecord } from "../../settings/settings-records.js";
import type { SettingsChange, SettingsDoc } from "../../settings/settings-store.js";
import { type AdminContext, type AdminRoute, newId, nowIso, sealingBox } from "./admin-context.js";
import { AdminInput } from "./admin-input.js";
import { apiKeyCredential, type GivenCredential, readKeyBody } from "./provider-credential.js";
import { providerView, storedKeyView } from "./provider-view.js";

const idPattern = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const extraFields = ["base_url", "api_version", "region", "project", "location", "format"];
const formats = ["openai-chat", "anthropic-messages"];

function readExtra(input: AdminInput | undefined): { base_url?: string; extra: Record<string, string> } {
  if (!input) return { extra: {} };
  const base = input.string("base_url", {
    max: 2048,
    pattern: /^https?:\/\/[^\s/?#]+[^\s]*$/,
    hint: "an http(s) URL",
  });
  const extra: Record<string, string> = {};
  for (const field of ["api_version", "region", "project", "location"]) {
    const value = input.string(field, {
      max: 100,
      pattern: /^[A-Za-z0-9._-]+$/,
      hint: "letters, digits, . _ -",
    });
    if (value !== undefined) extra[field] = value;
  }
  const format = input.string("format", {
    pattern: new RegExp(`^(?:${formats.join("|")})$`),
    hint: `one of ${formats.join(", ")}`,
  });
  if (format) extra.format = format;
  return { ...(base ? { base_url: base } : {}), extra };
}

/** The sealed record of a key, or 409 when this server has no key to seal it with. */
function keyRecord(
  context: AdminContext,
  providerId: string,
  given: GivenCredential,
  weight: number,
  enabled: boolean,
  viaProvider = false,
): ProviderKeyRecord {
  const box = sealingBox(context.settings, "a credential");
  const id = newId("pk");
  return {
    id,
    provider_id: providerId,
    kind: given.kind,
    secret: box.seal(given.plain, sealContext("provider_key", id)),
    fingerprint: given.fingerprint,
    last4: given.last4,
    weight,
    enabled,
    created_at: nowIso(),
    ...(viaProvider ? { via_provider: true } : {}),
  };
}

const doc = (kind: SettingsDoc["kind"], id: string, value: object): SettingsDoc => ({
  kind,
  id,
  doc: { ...value },
});

/** Respan's Custom Providers API, and each provider's key pool: `/api/providers/…`. */
export const providersApi: AdminRoute = async (method, path, body, context) => {
  const match = /^\/api\/providers(?:\/([^/]+)(?:\/keys(?:\/([^/]+))?)?)?\/?$/.exec(path);
  if (!match) return undefined;
  const keysPath = /\/keys(?:\/[^/]+)?\/?$/.test(path) && match[1] !== undefined;
  const { settings, caller, registry } = context;
  const actor = caller.name;
  const managed = settings.current;
  const providerId = match[1] ? canonicalProvider(decodeSegment(match[1], "provider_id")) : undefined;

  if (!providerId) {
    if (method === "GET") {
      const ids = new Set([...registry().ids(), ...managed.providers.keys()]);
      return { status: 200, body: { results: [...ids].map((id) => providerView(id, context)) } };
    }
    if (method !== "POST") throw new HttpError(405, "method_not_allowed", `Use GET or POST for ${path}.`);
    const input = new AdminInput(await body(), ["provider_id", "provider_name", "api_key", "extra_kwargs"]);
    const id = canonicalProvider(
      input.string("provider_id", {
        required: true,
        max: 64,
        pattern: idPattern,
        hint: "lower-case letters, digits, . _ - (at most 64)",
      }),
    );
    return upsert(id, input, context, true);
  }

  const known = managed.providers.get(providerId) ?? (registry().get(providerId) ? undefined : null);
  if (known === null) throw new HttpError(404, "not_found", `No provider ${providerId}.`);
  if (!keysPath) {
    if (method === "GET") return { status: 200, body: providerView(providerId, context) };
    if (method === "PATCH") {
      const input = new AdminInput(await body(), ["provider_name", "api_key", "extra_kwargs"]);
      return upsert(providerId, input, context, false);
    }
    if (method === "DELETE") {
      const keys = managed.keysOf(providerId);
      const models = [...managed.models.values()].filter((model) => model.provider_id === providerId);
      if (!known && keys.length === 0)
        throw new HttpError(404, "not_found", `Provider ${providerId} has no managed settings to delete.`);
      await settings.apply({
        deletes: [
          { kind: "provider", id: providerId },
          ...keys.map((key) => ({ kind: "provider_key" as const, id: key.id })),
          ...models.map((model) => ({ kind: "model" as const, id: model.model_id })),
        ],
        audit: { actor, action: "provider.delete", target: providerId },
      });
      return { status: 200, body: { id: providerId, deleted: true } };
    }
    throw new HttpError(405, "method_not_allowed", `Use GET, PATCH or DELETE for ${path}.`);
  }

  const keyId = match[2] ? decodeSegment(match[2], "key id") : undefined;
  if (!keyId) {
    if (method === "GET") return { status: 200, body: { results: providerView(providerId, context).keys } };
    if (method !== "POST") throw new HttpError(405, "method_not_allowed", `Use GET or POST for ${path}.`);
    const input = new AdminInput(await body(), ["api_key", "credentials", "weight", "enabled"]);
    const given = readKeyBody(input);
    const record = keyRecord(
      context,
      providerId,
      given,
      input.number("weight", { min: 0.001, max: 1_000_000 }) ?? 1,
      input.boolean("enabled") ?? true,
    );
    await settings.apply({
      puts: [doc("provider_key", record.id, record)],
      audit: {
        actor,
        action: "provider_key.create",
        target: `${providerId}/${record.id} (${record.fingerprint})`,
      },
    });
    return { status: 201, body: storedKeyView(record) };
  }
  const record = managed.keysOf(providerId).find((key) => key.id === keyId);
  if (!record) throw new HttpError(404, "not_found", `Provider ${providerId} has no stored key ${keyId}.`);
  if (method === "PATCH") {
    const input = new AdminInput(await body(), ["weight", "enabled"]);
    const updated = {
      ...record,
      weight: input.number("weight", { min: 0.001, max: 1_000_000 }) ?? record.weight,
      enabled: input.boolean("enabled") ?? record.enabled,
    };
    await settings.apply({
      puts: [doc("provider_key", keyId, updated)],
      audit: {
        actor,
        action: "provider_key.update",
        target: `${providerId}/${keyId} weight=${updated.weight} enabled=${updated.enabled}`,
      },
    });
    return { status: 200, body: storedKeyView(updated) };
  }
  if (method === "DELETE") {
    await settings.apply({
      deletes: [{ kind: "provider_key", id: keyId }],
      audit: { actor, action: "provider_key.delete", target: `${providerId}/${keyId}` },
    });
    return { status: 200, body: { id: keyId, deleted: true } };
  }
  throw new HttpError(405, "method_not_allowed", `Use PATCH or DELETE for ${path}.`);
};

/** Creates or updates a provider record (Respan's upsert by `provider_id`); `api_key` replaces the key it set before. */
async function upsert(id: string, input: AdminInput, context: AdminContext, create: boolean) {
  const { settings, caller, registry } = context;
  const managed = settings.current;
  const existing = managed.providers.get(id);
  const name =
    create && !existing
      ? input.string("provider_name", { required: true, max: 100 })
      : input.string("provider_name", { max: 100 });
  const apiKey = input.string("api_key", { max: 8192 });
  const extraInput = input.object("extra_kwargs", extraFields);
  const { base_url, extra } = readExtra(extraInput);
  const builtIn = registry().get(id) !== undefined && !existing?.custom;
  const custom = existing?.custom ?? !builtIn;
  if (custom && !(base_url ?? existing?.base_url))
    throw new HttpError(
      400,
      "invalid_request",
      `${id} is not a built-in provider: extra_kwargs.base_url is required for a custom provider.`,
      "extra_kwargs.base_url",
    );
  const at = nowIso();
  const record: ProviderRecord = {
    provider_id: id,
    provider_name: name ?? existing?.provider_name ?? id,
    ...((base_url ?? existing?.base_url) ? { base_url: (base_url ?? existing?.base_url) as string } : {}),
    extra: extraInput ? extra : (existing?.extra ?? {}),
    custom,
    created_at: existing?.created_at ?? at,
    updated_at: at,
  };
  const change: SettingsChange = {
    puts: [doc("provider", id, record)],
    audit: { actor: caller.name, action: existing ? "provider.update" : "provider.create", target: id },
  };
  if (apiKey !== undefined) {
    const key = keyRecord(context, id, apiKeyCredential(apiKey), 1, true, true);
    change.puts?.push(doc("provider_key", key.id, key));
    change.deletes = managed
      .keysOf(id)
      .filter((previous) => previous.via_provider)
      .map((previous) => ({ kind: "provider_key", id: previous.id }));
  }
  await settings.apply(change);
  return {
    status: existing ? 200 : 201,
    body: {
      id,
      provider_id: id,
      provider_name: record.provider_name,
      created_at: record.created_at,
      updated_at: record.updated_at,
    },
  };
}
