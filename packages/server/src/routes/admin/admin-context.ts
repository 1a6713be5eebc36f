import { randomBytes } from "node:crypto";
import type { ProviderConfig, ProviderRegistry } from "@keyway/core";
import type { Caller } from "../../http/auth.js";
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
