/**
 * An Entra ID (Azure AD) access token, held as one credential string beside `api-key`s (pools, fingerprints and
 * redaction hold every key the same way); the auth step sends it as `Authorization: Bearer`.
 */
export const entraTokenText = (token: string): string => JSON.stringify({ azureAdToken: token });

/** The Entra token a credential string holds, or undefined for an `api-key`. */
export function entraTokenOf(held: string): string | undefined {
  if (!held.startsWith('{"azureAdToken"')) return undefined;
  try {
    const token = (JSON.parse(held) as { azureAdToken?: unknown }).azureAdToken;
    return typeof token === "string" && token !== "" ? token : undefined;
  } catch {
    return undefined;
  }
}
