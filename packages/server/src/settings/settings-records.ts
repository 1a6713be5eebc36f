import type { Budget } from "@keyway/core";
import type { AlertRule } from "../alerts/alert-rules.js";

/** The scopes an API key may hold: what an app embeds (`ingest`) can neither read nor spend. */
export const scopes = ["ingest", "gateway", "read", "admin"] as const;
export type Scope = (typeof scopes)[number];

/** A provider managed through the API: a built-in one's overrides, or a custom provider. */
export interface ProviderRecord {
  provider_id: string;
  provider_name: string;
  base_url?: string;
  /** Non-secret settings from `extra_kwargs` (`api_version`, `region`, `project`, `location`, `format`). */
  extra: Record<string, string>;
  custom: boolean;
  created_at: string;
  updated_at: string;
}

/** How a stored credential is shaped: a key, or one of the clouds' credentials. */
export type CredentialKind = "api_key" | "aws" | "service_account" | "azure_ad_token";

export interface ProviderKeyRecord {
  id: string;
  provider_id: string;
  kind: CredentialKind;
  /** The credential, sealed (`SecretBox`): an API key, or the JSON of a cloud credential. */
  secret: string;
  fingerprint: string;
  last4: string;
  weight: number;
  enabled: boolean;
  created_at: string;
  /** Set through the provider's own `api_key` (replaced by the next one given there). */
  via_provider?: boolean;
}

export interface ModelRecord {
  model_id: string;
  provider_id: string;
  upstream_model?: string;
  /** Other ids routed and priced as this model. */
  aliases?: string[];
  /** USD per 1M tokens. */
  input_price?: number;
  output_price?: number;
  created_at: string;
  updated_at: string;
}

export interface ApiKeyLimits {
  allowed_models?: string[];
  budget?: Budget;
  rate_limits?: { requests_per_minute?: number; tokens_per_minute?: number };
}

export interface ApiKeyRecord extends ApiKeyLimits {
  id: string;
  name: string;
  /** The key's first characters, to tell keys apart; the key itself is only its hash. */
  prefix: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  scopes: Scope[];
  created_at: string;
  revoked_at?: string;
}

/** An alert rule managed through the API or the dashboard; its webhook's URL is a secret, sealed. */
export interface AlertRecord extends Omit<AlertRule, "id" | "webhook"> {
  id: string;
  /** The webhook's URL, sealed (`SecretBox`). */
  secret: string;
  /** What may be shown of the webhook: its host and format. */
  webhook: { host: string; format: "json" | "slack" };
  created_at: string;
  updated_at: string;
}
