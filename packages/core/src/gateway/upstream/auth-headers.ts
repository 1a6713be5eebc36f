import type { AuthScheme, ProviderSpec } from "../../providers/provider-spec.js";

/** The scheme a provider names, or the one its wire format implies. */
export function authSchemeOf(provider: ProviderSpec): AuthScheme {
  if (provider.auth) return provider.auth;
  if (provider.format === "anthropic-messages") return "x-api-key";
  if (provider.format === "google-gemini") return "x-goog-api-key";
  return "bearer";
}

/** The auth step of an upstream call: the key in the header its provider's scheme names (none without a key). */
export function authHeaders(provider: ProviderSpec, apiKey: string | undefined): Record<string, string> {
  if (!apiKey) return {};
  const scheme = authSchemeOf(provider);
  if (scheme === "bearer") return { authorization: `Bearer ${apiKey}` };
  return { [scheme]: apiKey };
}
