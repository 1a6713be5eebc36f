import type { AdminContext } from "./admin-context.js";
import { alertsApi } from "./alerts-api.js";
import { apiKeysApi } from "./api-keys-api.js";
import { auditApi } from "./audit-api.js";
import { modelsApi } from "./models-api.js";
import { providersApi } from "./providers-api.js";

const routes = [providersApi, modelsApi, apiKeysApi, alertsApi, auditApi];

/** The management API (providers, models, API keys, alert rules, audit log): the answer, or undefined for another path. */
export async function answerAdmin(
  method: string,
  url: URL,
  body: () => Promise<unknown>,
  context: AdminContext,
): Promise<{ status: number; body: unknown } | undefined> {
  for (const route of routes) {
    const answer = await route(method, url.pathname, body, context, url.searchParams);
    if (answer) return answer;
  }
  return undefined;
}
