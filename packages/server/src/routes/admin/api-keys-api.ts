import { randomBytes } from "node:crypto";
import { apiKeyHash } from "../../http/auth.js";
import { HttpError } from "../../http/http-error.js";
import { decodeSegment } from "../../http/query-filters.js";
import { type ApiKeyRecord, scopes } from "../../settings/settings-records.js";
import { type AdminRoute, newId, nowIso } from "./admin-context.js";
import { AdminInput } from "./admin-input.js";

const budgetDurations = ["daily", "weekly", "monthly", "yearly"] as const;

/** What the API shows of a key: never the key, nor its hash. */
export function apiKeyView(record: ApiKeyRecord) {
  const { hash: _hash, ...view } = record;
  return view;
}

function readLimits(input: AdminInput): Pick<ApiKeyRecord, "allowed_models" | "budget" | "rate_limits"> {
  const allowed = input.strings("allowed_models", { max: 200, maxItems: 500, nonEmpty: true });
  const budgetInput = input.object("budget", ["period_budget", "budget_duration", "total_budget"]);
  const rateInput = input.object("rate_limits", ["requests_per_minute", "tokens_per_minute"]);
  const budget = budgetInput && {
    period_budget: budgetInput.number("period_budget", { min: 0 }),
    budget_duration: budgetInput.string("budget_duration", {
      pattern: new RegExp(`^(?:${budgetDurations.join("|")})$`),
      hint: `one of ${budgetDurations.join(", ")}`,
    }) as (typeof budgetDurations)[number] | undefined,
    total_budget: budgetInput.number("total_budget", { min: 0 }),
  };
  if (budget && budget.period_budget !== undefined && !budget.budget_duration)
    throw new HttpError(
      400,
      "invalid_request",
      "budget.budget_duration is required with a period_budget.",
      "budget.budget_duration",
    );
  if (budget && budget.period_budget === undefined && budget.total_budget === undefined)
    throw new HttpError(400, "invalid_request", "budget needs a period_budget or a total_budget.", "budget");
  const rate = rateInput && {
    requests_per_minute: rateInput.number("requests_per_minute", { min: 1, integer: true }),
    tokens_per_minute: rateInput.number("tokens_per_minute", { min: 1, integer: true }),
  };
  if (rate && rate.requests_per_minute === undefined && rate.tokens_per_minute === undefined)
    throw new HttpError(
      400,
      "invalid_request",
      "rate_limits needs requests_per_minute or tokens_per_minute.",
      "rate_limits",
    );
  const defined = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
  return {
    ...(allowed ? { allowed_models: allowed } : {}),
    ...(budget ? { budget: defined(budget) } : {}),
    ...(rate ? { rate_limits: defined(rate) } : {}),
  };
}

/** `POST|GET /api/api-keys/`, `GET|DELETE /api/api-keys/{id}/`: keys with scopes, stored as hashes only. */
export const apiKeysApi: AdminRoute = async (method, path, body, { settings, caller }) => {
  const match = /^\/api\/api-keys(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return undefined;
  const id = match[1] ? decodeSegment(match[1], "id") : undefined;
  const all = settings.current.apiKeys;
  if (!id && method === "GET")
    return {
      status: 200,
      body: {
        results: [...all.values()].sort((a, b) => b.created_at.localeCompare(a.created_at)).map(apiKeyView),
      },
    };
  if (!id && method === "POST") {
    const input = new AdminInput(await body(), ["name", "scopes", "allowed_models", "budget", "rate_limits"]);
    const name = input.string("name", { required: true, max: 100 });
    const held = input.strings("scopes", { allowed: scopes, nonEmpty: true });
    if (!held) throw new HttpError(400, "invalid_request", "scopes is required.", "scopes");
    const key = `kw-${randomBytes(24).toString("base64url")}`;
    const record: ApiKeyRecord = {
      id: newId("ak"),
      name,
      prefix: key.slice(0, 10),
      hash: apiKeyHash(key),
      scopes: held as ApiKeyRecord["scopes"],
      ...readLimits(input),
      created_at: nowIso(),
    };
    await settings.apply({
      puts: [{ kind: "api_key", id: record.id, doc: { ...record } }],
      audit: {
        actor: caller.name,
        action: "api_key.create",
        target: `${record.id} (${name}, ${held.join("+")})`,
      },
    });
    return { status: 201, body: { ...apiKeyView(record), key } };
  }
  if (!id) throw new HttpError(405, "method_not_allowed", `Use GET or POST for ${path}.`);
  const record = all.get(id);
  if (!record) throw new HttpError(404, "not_found", `No API key ${id}.`);
  if (method === "GET") return { status: 200, body: apiKeyView(record) };
  if (method === "DELETE") {
    if (record.revoked_at) return { status: 200, body: apiKeyView(record) };
    const revoked = { ...record, revoked_at: nowIso() };
    await settings.apply({
      puts: [{ kind: "api_key", id, doc: { ...revoked } }],
      audit: { actor: caller.name, action: "api_key.revoke", target: `${id} (${record.name})` },
    });
    return { status: 200, body: apiKeyView(revoked) };
  }
  throw new HttpError(405, "method_not_allowed", `Use GET or DELETE for ${path}.`);
};
