import { weightedChoice } from "../../credentials/weighted-choice.js";
import { InvalidRequestError } from "../../errors/errors.js";
import type { KeywayParams } from "./keyway-params.js";

interface GroupModel {
  model: string;
  weight: number;
  credentials?: { api_key?: string; api_base?: string };
}

function groupModels(value: unknown, field: string): GroupModel[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new InvalidRequestError(`${field} must be a non-empty array of { model, weight }`, { field });
  return value.map((entry, index) => {
    const item = entry as Record<string, unknown>;
    if (typeof item?.model !== "string" || item.model === "")
      throw new InvalidRequestError(`${field}.${index}.model must be a model id`, {
        field: `${field}.${index}.model`,
      });
    const weight = item.weight ?? 1;
    if (typeof weight !== "number" || !(weight > 0))
      throw new InvalidRequestError(`${field}.${index}.weight must be a number above 0`, {
        field: `${field}.${index}.weight`,
      });
    const credentials = item.credentials;
    if (
      credentials !== undefined &&
      (typeof credentials !== "object" || credentials === null || Array.isArray(credentials))
    )
      throw new InvalidRequestError(`${field}.${index}.credentials must be an object`, {
        field: `${field}.${index}.credentials`,
      });
    return {
      model: item.model,
      weight,
      ...(credentials ? { credentials: credentials as GroupModel["credentials"] } : {}),
    };
  });
}

/**
 * Respan's load balancing: `load_balance_group { group_id, models: [{ model, weight, credentials? }] }` (or
 * `load_balance_models`, or `models`: a pool of equal weights). A request that names no `model` gets one by weighted choice, the group's other models
 * following it as fallbacks (before `fallback_models`); a `model` given beside the group wins, as in Respan. A
 * model's `credentials` are used for it the way `credential_override` would be.
 */
export function applyLoadBalance(
  request: Record<string, unknown>,
  params: KeywayParams,
  random: () => number,
): { request: Record<string, unknown>; params: KeywayParams } {
  const group = params.load_balance_group as { models?: unknown } | undefined;
  const pool = params.models && params.models.length > 0 ? params.models : undefined;
  const field = group
    ? "load_balance_group.models"
    : params.load_balance_models
      ? "load_balance_models"
      : "models";
  const source = group
    ? group.models
    : (params.load_balance_models ?? pool?.map((model) => ({ model, weight: 1 })));
  if (source === undefined) return { request, params };
  const models = groupModels(source, field);
  const override = { ...params.credential_override };
  for (const entry of models)
    if (entry.credentials?.api_key && !override[entry.model]) override[entry.model] = entry.credentials;
  const next: KeywayParams = { ...params, credential_override: override };
  if (typeof request.model === "string" && request.model !== "") return { request, params: next };
  const chosen = weightedChoice(models, random) as GroupModel;
  const others = models.filter((entry) => entry !== chosen).sort((a, b) => b.weight - a.weight);
  next.fallback_models = [...others.map((entry) => entry.model), ...(params.fallback_models ?? [])];
  return { request: { ...request, model: chosen.model }, params: next };
}
