import { ConfigError } from "@keyway/core";
import type { AlertEngine } from "../../alerts/alert-engine.js";
import { type AlertRule, checkAlertRule } from "../../alerts/alert-rules.js";
import { webhookRefusal } from "../../alerts/webhook-delivery.js";
import { HttpError } from "../../http/http-error.js";
import { decodeSegment } from "../../http/query-filters.js";
import { sealContext } from "../../settings/managed-settings.js";
import type { AlertRecord } from "../../settings/settings-records.js";
import { type AdminContext, type AdminRoute, newId, nowIso, sealingBox } from "./admin-context.js";

/** The fields a PATCH may clear with `null`: the rest a rule cannot be without. */
const clearable = ["window_seconds", "customer", "budget", "min_requests", "min_interval_seconds"];

/** What the API shows of a managed rule: never its webhook's URL, only the host. */
export function alertView(record: AlertRecord) {
  const { secret: _secret, ...view } = record;
  return { ...view, source: "managed" as const };
}

/** `/api/alerts` and `/api/alerts/{id}`: undefined for another path, else the id when one is given. */
function alertsPath(path: string): { id: string | undefined } | undefined {
  const match = /^\/api\/alerts(?:\/([^/]+))?\/?$/.exec(path);
  if (!match) return undefined;
  return { id: match[1] ? decodeSegment(match[1], "id") : undefined };
}

/** `GET /api/alerts` (every rule with its state, and the last firings) and `GET /api/alerts/{id}` (one rule). */
export async function alertsView(
  path: string,
  engine: AlertEngine,
): Promise<{ status: number; body: unknown } | undefined> {
  const matched = alertsPath(path);
  if (!matched) return undefined;
  const view = await engine.view();
  const { id } = matched;
  if (!id) return { status: 200, body: view };
  const rule = view.rules.find((entry) => (entry as { id?: string }).id === id);
  if (!rule) throw new HttpError(404, "not_found", `No managed alert rule ${id}.`);
  return { status: 200, body: rule };
}

/** The rule checked as the config file's are (one copy of the rules), a refusal as a 400 naming the field. */
function checked(candidate: unknown, context: AdminContext, id: string | undefined): AlertRule {
  let rule: AlertRule;
  try {
    rule = checkAlertRule(candidate, "", context.alerts.budgets);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    const field = /^([a-z_]+)[.\s]/.exec(error.message)?.[1];
    throw new HttpError(400, "invalid_request", error.message, field);
  }
  const taken =
    context.alerts.configured.some((other) => other.name === rule.name) ||
    [...context.settings.current.alerts.values()].some(
      (other) => other.name === rule.name && other.id !== id,
    );
  if (taken)
    throw new HttpError(409, "alert_name_taken", `An alert rule is already named "${rule.name}".`, "name");
  const refusal = webhookRefusal(new URL(rule.webhook.url), context.alerts.allowedWebhookHosts);
  if (refusal)
    throw new HttpError(400, "webhook_not_allowed", `webhook.url: ${refusal.message}.`, "webhook.url");
  return rule;
}

/** The stored record of a checked rule: the URL sealed under the record's id, the host kept to show. */
function recordOf(rule: AlertRule, id: string, context: AdminContext, createdAt: string): AlertRecord {
  const box = sealingBox(context.settings, "a webhook URL");
  const { webhook, id: _id, ...fields } = rule;
  return {
    ...fields,
    id,
    secret: box.seal(webhook.url, sealContext("alert", id)),
    webhook: { host: new URL(webhook.url).host, format: webhook.format ?? "json" },
    created_at: createdAt,
    updated_at: nowIso(),
  };
}

/** A PATCH body over the rule in force: given fields replace, `null` clears, the URL stays unless given. */
function patched(current: AlertRule, body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new HttpError(400, "invalid_request", "The body must be a JSON object.");
  const { id: _id, ...next } = current as AlertRule & Record<string, unknown>;
  for (const [field, value] of Object.entries(body)) {
    if (value === null && !clearable.includes(field))
      throw new HttpError(400, "invalid_request", `${field} cannot be cleared.`, field);
    if (value === null) delete next[field];
    else if (field === "webhook" && typeof value === "object" && !Array.isArray(value))
      next.webhook = { ...current.webhook, ...(value as object) };
    else next[field] = value;
  }
  return next;
}

/**
 * `POST /api/alerts/` and `PATCH|DELETE /api/alerts/{id}/`: alert rules managed beside the config file's, checked
 * as those are, their webhook URLs sealed at rest; `GET /api/alerts` (read scope) shows both with their state.
 */
export const alertsApi: AdminRoute = async (method, path, body, context) => {
  const matched = method === "GET" ? undefined : alertsPath(path);
  if (!matched) return undefined;
  const { settings, caller } = context;
  const { id } = matched;
  if (!id) {
    if (method !== "POST") throw new HttpError(405, "method_not_allowed", `Use GET or POST for ${path}.`);
    const newRecord = newId("al");
    const record = recordOf(checked(await body(), context, undefined), newRecord, context, nowIso());
    await settings.apply({
      puts: [{ kind: "alert", id: newRecord, doc: { ...record } }],
      audit: { actor: caller.name, action: "alert.create", target: `${newRecord} (${record.name})` },
    });
    return { status: 201, body: alertView(record) };
  }
  const existing = settings.current.alerts.get(id);
  const current = settings.current.alertRules().find((rule) => rule.id === id);
  if (!existing || !current) throw new HttpError(404, "not_found", `No managed alert rule ${id}.`);
  if (method === "PATCH") {
    const rule = checked(patched(current, await body()), context, id);
    const record = recordOf(rule, id, context, existing.created_at);
    await settings.apply({
      puts: [{ kind: "alert", id, doc: { ...record } }],
      audit: { actor: caller.name, action: "alert.update", target: `${id} (${record.name})` },
    });
    return { status: 200, body: alertView(record) };
  }
  if (method === "DELETE") {
    await settings.apply({
      deletes: [{ kind: "alert", id }],
      audit: { actor: caller.name, action: "alert.delete", target: `${id} (${existing.name})` },
    });
    return { status: 200, body: { id, deleted: true } };
  }
  throw new HttpError(405, "method_not_allowed", `Use GET, PATCH or DELETE for ${path}.`);
};
