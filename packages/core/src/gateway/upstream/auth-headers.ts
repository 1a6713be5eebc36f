import { awsKeysOf } from "../../credentials/aws-keys.js";
import { entraTokenOf } from "../../credentials/entra-token.js";
import { serviceAccountOf } from "../../credentials/service-account.js";
import { authSchemeOf, type ProviderSpec } from "../../providers/provider-spec.js";
import type { UpstreamTransport } from "../../transport/upstream-transport.js";
import type { GoogleTokens } from "./google-tokens.js";
import { signAws } from "./sign-aws.js";

/**
 * The auth step of an upstream call: the credential in the form its provider's scheme names — a key in its
 * header (`authorization: Bearer`, `x-api-key`, `api-key`, `x-goog-api-key`), or for a service account (Vertex
 * AI) an OAuth access token obtained with it. No credential, no header.
 */
export async function authHeaders(
  target: { provider: ProviderSpec; apiKey: string | undefined; region?: string },
  deps: { googleTokens: GoogleTokens; transport: UpstreamTransport; timeoutMs: number },
  request: { url: string; body: string },
): Promise<Record<string, string>> {
  const { apiKey, provider } = target;
  if (!apiKey) return {};
  const scheme = authSchemeOf(provider);
  if (scheme === "sigv4") {
    const keys = awsKeysOf(apiKey, `providers.${provider.id}`);
    // A Bedrock API key is a bearer token; AWS keys sign the request.
    if (!keys) return { authorization: `Bearer ${apiKey}` };
    return signAws(keys, target.region ?? "us-east-1", request);
  }
  if (scheme === "google-oauth") {
    const account = serviceAccountOf(apiKey, `providers.${provider.id}.serviceAccount`);
    const token = await deps.googleTokens.token(account, deps.transport, provider.id, deps.timeoutMs);
    return { authorization: `Bearer ${token}` };
  }
  if (scheme === "bearer") return { authorization: `Bearer ${apiKey}` };
  // Azure takes an Entra ID token in place of its api-key.
  const entra = scheme === "api-key" ? entraTokenOf(apiKey) : undefined;
  if (entra) return { authorization: `Bearer ${entra}` };
  return { [scheme]: apiKey };
}
