import { InvalidRequestError } from "../errors/errors.js";

/** Static AWS keys (temporary ones with their session token). */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** AWS keys held as one credential string (how pools, fingerprints and redaction hold every key). */
export const awsKeyText = (keys: AwsKeys): string =>
  JSON.stringify({
    accessKeyId: keys.accessKeyId,
    secretAccessKey: keys.secretAccessKey,
    ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
  });

/** The AWS keys a credential string holds, or undefined for a Bedrock API key (sent as a bearer token). */
export function awsKeysOf(held: string, field: string): AwsKeys | undefined {
  if (!held.startsWith("{")) return undefined;
  let keys: Partial<AwsKeys> | undefined;
  try {
    keys = JSON.parse(held) as Partial<AwsKeys>;
  } catch {}
  if (typeof keys?.accessKeyId !== "string" || typeof keys.secretAccessKey !== "string")
    throw new InvalidRequestError(`${field} must hold aws_access_key_id and aws_secret_access_key`, {
      field,
    });
  return keys as AwsKeys;
}

/** The standard AWS env vars as Bedrock's credential, when set. */
export function awsEnvKeys(env: Record<string, string | undefined>): string | undefined {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  return accessKeyId && secretAccessKey
    ? awsKeyText({ accessKeyId, secretAccessKey, sessionToken })
    : undefined;
}
