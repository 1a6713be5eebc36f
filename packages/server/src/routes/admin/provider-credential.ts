import { fingerprintKey } from "@keyway/core";
import { HttpError } from "../../http/http-error.js";
import type { CredentialKind } from "../../settings/settings-records.js";
import type { AdminInput } from "./admin-input.js";

/** A credential as given: what it is, its text (sealed before it is stored), and what identifies it. */
export interface GivenCredential {
  kind: CredentialKind;
  plain: string;
  fingerprint: string;
  last4: string;
}

const tail = (text: string) => text.slice(-4);

/** The fields of `credentials`: one credential's, never two mixed. */
const credentialFields = [
  "api_key",
  "access_key_id",
  "secret_access_key",
  "session_token",
  "service_account",
  "azure_ad_token",
] as const;

export function apiKeyCredential(key: string): GivenCredential {
  return { kind: "api_key", plain: key, fingerprint: fingerprintKey(key), last4: tail(key) };
}

/**
 * `credentials` of a key added to a provider: `api_key`; AWS keys (`access_key_id`, `secret_access_key`,
 * `session_token`) for Bedrock; a `service_account` (its JSON, as an object or text) for Vertex AI; an
 * `azure_ad_token` for Azure. One shape per credential.
 */
export function readCredentials(input: AdminInput): GivenCredential {
  const given = credentialFields.filter((field) => input.has(field));
  const key = input.string("api_key", { max: 8192 });
  if (key !== undefined) {
    if (given.length > 1) throw mixed(given);
    return apiKeyCredential(key);
  }
  if (input.has("access_key_id") || input.has("secret_access_key")) {
    if (given.some((field) => !["access_key_id", "secret_access_key", "session_token"].includes(field)))
      throw mixed(given);
    const accessKeyId = input.string("access_key_id", {
      required: true,
      max: 128,
      pattern: /^[A-Z0-9]{16,128}$/,
      hint: "an AWS access key id (AKIA…, ASIA…)",
    });
    const secretAccessKey = input.string("secret_access_key", { required: true, max: 256 });
    const sessionToken = input.string("session_token", { max: 4096 });
    const plain = JSON.stringify({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
    return { kind: "aws", plain, fingerprint: fingerprintKey(plain), last4: tail(accessKeyId) };
  }
  if (input.has("service_account")) {
    if (given.length > 1) throw mixed(given);
    const raw = input.raw("service_account");
    const text = typeof raw === "string" ? raw : JSON.stringify(raw);
    let account: { type?: unknown; client_email?: unknown; private_key?: unknown };
    try {
      account = JSON.parse(text) as typeof account;
    } catch {
      account = {};
    }
    if (
      typeof account !== "object" ||
      account === null ||
      typeof account.client_email !== "string" ||
      typeof account.private_key !== "string"
    )
      throw new HttpError(
        400,
        "invalid_request",
        "credentials.service_account must be a service account's JSON key (client_email, private_key).",
        "credentials.service_account",
      );
    if (text.length > 16_384)
      throw new HttpError(
        400,
        "invalid_request",
        "credentials.service_account is longer than 16384 characters.",
        "credentials.service_account",
      );
    return {
      kind: "service_account",
      plain: text,
      fingerprint: fingerprintKey(text),
      last4: tail(account.client_email),
    };
  }
  const token = input.string("azure_ad_token", { max: 16_384 });
  if (token !== undefined) {
    if (given.length > 1) throw mixed(given);
    return { kind: "azure_ad_token", plain: token, fingerprint: fingerprintKey(token), last4: tail(token) };
  }
  throw new HttpError(
    400,
    "invalid_request",
    `credentials needs one of api_key, access_key_id + secret_access_key, service_account, azure_ad_token.`,
    "credentials",
  );
}

const mixed = (given: string[]) =>
  new HttpError(
    400,
    "invalid_request",
    `credentials holds one credential; it has ${given.join(", ")}.`,
    "credentials",
  );

/** The body of `POST /api/providers/{id}/keys/`: `api_key`, or `credentials` with one cloud shape. */
export function readKeyBody(input: AdminInput): GivenCredential {
  const key = input.string("api_key", { max: 8192 });
  const credentials = input.object("credentials", credentialFields);
  if (key !== undefined && credentials)
    throw new HttpError(400, "invalid_request", "Give api_key or credentials, not both.", "credentials");
  if (key !== undefined) return apiKeyCredential(key);
  if (credentials) return readCredentials(credentials);
  throw new HttpError(400, "invalid_request", "api_key or credentials is required.", "api_key");
}
