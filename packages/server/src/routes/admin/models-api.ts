import { type Gateway, type ModelPrices, modelList } from "@keyway/core";
import { HttpError } from "../../http/http-error.js";
import { decodeSegment } from "../../http/query-filters.js";
import { canonicalProvider } from "../../settings/live-gateway.js";
import type { ManagedSettings } from "../../settings/managed-settings.js";
import type { ModelRecord } from "../../settings/settings-records.js";
import { type AdminRoute, nowIso } from "./admin-context.js";
import { AdminInput } from "./admin-input.js";

/**
 * The model list the OpenAI SDKs read (`GET /v1/models`, `/api/models/`), each entry also naming its provider
 * and prices (USD per 1M tokens) when known.
 */
export function pricedModelList(
  gateway: Pick<Gateway, "providers">,
  managed: ManagedSettings,
  prices: Record<string, ModelPrices> | undefined,
) {
  const data = modelList(gateway).data.map((entry) => {
    const record =
      managed.models.get(entry.id) ??
      [...managed.models.values()].find((model) => model.aliases?.includes(entry.id));
    const price = prices?.[entry.id];
    return {
      ...entry,
      provider_id: entry.owned_by,
      ...(record?.upstream_model ? { upstream_model: record.upstream_model } : {}),
      ...(record && record.model_id !== entry.id ? { alias_of: record.model_id } : {}),
      input_price: price?.input ?? null,
      output_price: price?.output ?? null,
    };
  });
  return { object: "list" as const, data };
}

/**
 * `GET …/models` (the list, under any prefix) and `GET /api/models/{model_id}/` (one entry of it, configured models
 * included); undefined for another path.
 */
export function answerModelList(
  path: string,
  gateway: Pick<Gateway, "providers">,
  managed: ManagedSettings,
  prices: Record<string, ModelPrices> | undefined,
) {
  if (/\/models\/?$/.test(path)) return pricedModelList(gateway, managed, prices);
  const one = /^\/api\/models\/([^/]+)\/?$/.exec(path);
  if (!one) return undefined;
  const id = decodeSegment(one[1] as string, "model_id");
  const entry = pricedModelList(gateway, managed, prices).data.find((item) => item.id === id);
  if (!entry) throw new HttpError(404, "not_found", `No model ${id}.`);
  return entry;
}

function readPrices(input: AdminInput, existing: ModelRecord | undefined) {
  const input_price = input.number("input_price", { min: 0, max: 1_000_000 }) ?? existing?.input_price;
  const output_price = input.number("output_price", { min: 0, max: 1_000_000 }) ?? existing?.output_price;
  // One price without the other would cost half of every call: both, or neither.
  if ((input_price === undefined) !== (output_price === undefined)) {
    const missing = input_price === undefined ? "input_price" : "output_price";
    throw new HttpError(400, "invalid_request", `${missing} is required with the other price.`, missing);
  }
  return input_price === undefined ? {} : { input_price, output_price };
}

/** `aliases`: other ids of the model, each taken by no other managed model (nor equal to its own id). */
function readAliases(input: AdminInput, id: string, managed: ManagedSettings): string[] | undefined {
  const aliases = input.strings("aliases", { max: 200, maxItems: 50 });
  aliases?.forEach((alias, index) => {
    const field = `aliases[${index}]`;
    if (/\s/.test(alias)) throw new HttpError(400, "invalid_request", `${field} has spaces.`, field);
    const taken = [...managed.models.values()].find(
      (model) => model.model_id !== id && (model.model_id === alias || model.aliases?.includes(alias)),
    );
    if (alias === id || taken)
      throw new HttpError(
        400,
        "invalid_request",
        `${field} ${alias} already names ${taken?.model_id ?? "this model"}.`,
        field,
      );
  });
  return aliases;
}

/** `POST /api/models/`, `GET|PATCH|DELETE /api/models/{model_id}/` (the list itself is `pricedModelList`). */
export const modelsApi: AdminRoute = async (method, path, body, { settings, caller, registry }) => {
  const match = /^\/api\/models(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return undefined;
  const managed = settings.current;
  const knownProvider = (id: string) => registry().get(id) !== undefined || managed.providers.has(id);
  const readProvider = (input: AdminInput, required: boolean) => {
    const given = required
      ? input.string("provider_id", { required: true, max: 64 })
      : input.string("provider_id", { max: 64 });
    if (given === undefined) return undefined;
    const id = canonicalProvider(given);
    if (!knownProvider(id))
      throw new HttpError(
        400,
        "invalid_request",
        `provider_id ${id} is neither built in nor a custom provider (add it with POST /api/providers/).`,
        "provider_id",
      );
    return id;
  };
  const modelId = match[1] ? decodeSegment(match[1], "model_id") : undefined;
  const actor = caller.name;
  if (!modelId) {
    if (method !== "POST") return undefined; // the list: answered with the gateway's models
    const input = new AdminInput(await body(), [
      "model_id",
      "provider_id",
      "upstream_model",
      "aliases",
      "input_price",
      "output_price",
    ]);
    const id = input.string("model_id", { required: true, max: 200, pattern: /^[^\s]+$/, hint: "no spaces" });
    const existing = managed.models.get(id);
    const at = nowIso();
    const record: ModelRecord = {
      model_id: id,
      provider_id: readProvider(input, true) as string,
      ...withUpstream(input.string("upstream_model", { max: 200, pattern: /^[^\s]+$/, hint: "no spaces" })),
      ...withAliases(readAliases(input, id, managed)),
      ...readPrices(input, undefined),
      created_at: existing?.created_at ?? at,
      updated_at: at,
    };
    await settings.apply({
      puts: [{ kind: "model", id, doc: { ...record } }],
      audit: {
        actor,
        action: existing ? "model.update" : "model.create",
        target: `${id} → ${record.provider_id}`,
      },
    });
    return { status: existing ? 200 : 201, body: record };
  }
  const existing = managed.models.get(modelId);
  if (method === "GET") return undefined; // answered from the model list, configured models included
  if (!existing) throw new HttpError(404, "not_found", `No managed model ${modelId}.`);
  if (method === "PATCH") {
    const input = new AdminInput(await body(), [
      "provider_id",
      "upstream_model",
      "aliases",
      "input_price",
      "output_price",
    ]);
    const upstream = input.string("upstream_model", { max: 200, pattern: /^[^\s]+$/, hint: "no spaces" });
    const aliases = input.has("aliases") ? readAliases(input, modelId, managed) : existing.aliases;
    const { input_price: _in, output_price: _out, upstream_model: _up, aliases: _al, ...rest } = existing;
    const record: ModelRecord = {
      ...rest,
      provider_id: readProvider(input, false) ?? existing.provider_id,
      ...withUpstream(upstream ?? existing.upstream_model),
      ...withAliases(aliases),
      ...readPrices(input, existing),
      updated_at: nowIso(),
    };
    await settings.apply({
      puts: [{ kind: "model", id: modelId, doc: { ...record } }],
      audit: { actor, action: "model.update", target: modelId },
    });
    return { status: 200, body: record };
  }
  if (method === "DELETE") {
    await settings.apply({
      deletes: [{ kind: "model", id: modelId }],
      audit: { actor, action: "model.delete", target: modelId },
    });
    return { status: 200, body: { id: modelId, deleted: true } };
  }
  throw new HttpError(405, "method_not_allowed", `Use GET, PATCH or DELETE for ${path}.`);
};

const withAliases = (aliases: string[] | undefined) => (aliases?.length ? { aliases } : {});
const withUpstream = (upstream: string | undefined) => (upstream ? { upstream_model: upstream } : {});
