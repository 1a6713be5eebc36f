import { randomBytes } from "node:crypto";
import type { Budget, ProviderConfig, ProviderRegistry } from "@keyway/core";
import type { AlertRule } from "../../alerts/alert-rules.js";
import type { Caller } from "../../http/auth.js";
import { HttpError } from "../../http/http-error.js";
import type { SecretBox } from "../../secrets/secret-box.js";
import type { LiveSettings } from "../../settings/live-settings.js";

/** What a management route works with: the live settings, who is asking, and what the config file holds. */
export interface AdminContext {
  settings: LiveSettings;
  caller: Caller;
  /** The providers the gateway knows now: built-in, configured and managed. */
  registry: () => ProviderRegistry;
  /** The config file's providers (their keys shown read-only as `config`). */
  fileProviders: Record<string, ProviderConfig>;
  env: Record<string, string | undefined>;
  /** What a managed alert rule is checked against: the config file's rules (their names taken) and budgets. */
  alerts: {
    configured: readonly AlertRule[];
    budgets: Record<string, Budget>;
    allowedWebhookHosts: readonly string[];
  };
}

/** A management route: answers (status and body) when it owns the path, else undefined. */
export type AdminRoute = (
  method: string,
  path: string,
  body: () => Promise<unknown>,
  context: AdminContext,
  query: URLSearchParams,
) => Promise<{ status: number; body: unknown } | undefined>;

export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString("base64url")}`;

export const nowIso = () => new Date().toISOString();

/** The box a secret is sealed with, or 409 when this server has no key to seal it with. */
export function sealingBox(settings: LiveSettings, what: string): SecretBox {
  const box = settings.box;
  if (!box)
    throw new HttpError(
      409,
      "secret_key_missing",
      `Storing ${what} needs KEYWAY_SECRET_KEY (the same on every instance): set it and restart.`,
    );
  return box;
}
