import { readFileSync } from "node:fs";
import { InvalidRequestError } from "../errors/errors.js";

/** The fields of a Google service-account key file Keyway uses. */
export interface ServiceAccount {
  client_email: string;
  private_key: string;
  token_uri: string;
  project_id?: string;
}

export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
const parsed = new Map<string, ServiceAccount>();

/**
 * A service account from how it is held — its JSON text, or a path to the key file (`GOOGLE_APPLICATION_CREDENTIALS`)
 * — checked: a 400 naming `field` when it is not one. Parsed once per distinct text.
 */
export function serviceAccountOf(held: string, field: string): ServiceAccount {
  const known = parsed.get(held);
  if (known) return known;
  let json: unknown;
  try {
    json = JSON.parse(held.trimStart().startsWith("{") ? held : readFileSync(held, "utf8"));
  } catch {
    throw new InvalidRequestError(`${field} is not a service account's JSON (nor a path to one)`, { field });
  }
  const account = json as Partial<ServiceAccount> | null;
  for (const name of ["client_email", "private_key"] as const)
    if (typeof account?.[name] !== "string" || account[name] === "")
      throw new InvalidRequestError(`${field} has no ${name}: a service account's JSON key is needed`, {
        field,
      });
  const full = { ...(account as ServiceAccount), token_uri: account?.token_uri || GOOGLE_TOKEN_URI };
  if (parsed.size > 100) parsed.clear();
  parsed.set(held, full);
  return full;
}
