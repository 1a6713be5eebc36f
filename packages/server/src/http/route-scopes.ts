import type { Scope } from "../settings/settings-records.js";
import { HttpError } from "./http-error.js";

const admin = /^\/api\/(?:providers|api-keys|audit-log)(?:\/|$)/;
const models = /^\/api\/models(?:\/|$)/;
const alerts = /^\/api\/alerts(?:\/|$)/;
const reads =
  /^\/(?:api\/(?:request-logs|traces|metrics|gateway\/keys|gateway\/usage)(?:\/|$)|mcp\/?$|metrics\/?$)/;

/**
 * The scopes that may use a route (any one of them): posting logs and traces is `ingest`, reading them (the read API, `/mcp`, `/metrics`) `read`,
 * managing providers, models, keys and alert rules `admin`, everything else (the gateway) `gateway`. The model list is
 * read by the SDKs with their gateway key, and by the dashboard.
 */
export function scopesOf(method: string, path: string, ingestRoute: boolean): readonly Scope[] {
  if (ingestRoute) return ["ingest"];
  if (admin.test(path)) return ["admin"];
  if (models.test(path)) return method === "GET" ? ["gateway", "read", "admin"] : ["admin"];
  if (alerts.test(path)) return method === "GET" ? ["read", "admin"] : ["admin"];
  if (reads.test(path)) return ["read"];
  if (method === "GET" && /\/models\/?$/.test(path)) return ["gateway", "read", "admin"];
  return ["gateway"];
}

/** 403 for a key without any of the scopes a route needs. */
export function requireScope(held: ReadonlySet<Scope>, needed: readonly Scope[], what: string): void {
  if (needed.some((scope) => held.has(scope))) return;
  throw new HttpError(
    403,
    "forbidden",
    `This API key may not ${what}: it needs the ${needed.join(" or ")} scope (it has ${[...held].join(", ") || "none"}).`,
  );
}
