import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type CallerLimits, callerKeyOf, errorFaceOfPath, fingerprintKey } from "@keyway/core";
import type { ManagedSettings } from "../settings/managed-settings.js";
import { type ApiKeyRecord, type Scope, scopes } from "../settings/settings-records.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** A key from the config file, env or `--api-key`: every scope unless the config names fewer. */
export interface ConfiguredApiKey {
  key: string;
  name?: string;
  scopes?: Scope[];
}

/** Who is calling: the key's name (the audit log's actor), what it may do, and its limits. */
export interface Caller {
  name: string;
  scopes: ReadonlySet<Scope>;
  /** The managed key's id; absent for configured keys. */
  keyId?: string;
  /** A managed key's limits, as the gateway enforces them. */
  limits?: CallerLimits;
}

/** The hash a managed API key is stored as. */
export const apiKeyHash = (key: string): string => digest(key).toString("hex");

/**
 * Finds the caller of a request from the key it presented (core's `callerKeyOf`: a bearer token, `x-api-key`,
 * `x-goog-api-key`, or `?key=` on Gemini's routes only, where Google's clients put it): configured keys compared
 * in constant time, managed keys by the hash they are stored as. Undefined for no key or an unknown one.
 */
export function createAuthenticator(
  configured: readonly ConfiguredApiKey[],
  managed: () => ManagedSettings,
): (req: IncomingMessage, url: URL) => Caller | undefined {
  const known = configured.map((entry) => ({
    digest: digest(entry.key),
    caller: {
      name: entry.name ?? `config key ${fingerprintKey(entry.key)}`,
      scopes: new Set(entry.scopes ?? scopes),
    } satisfies Caller,
  }));
  return (req, url) => {
    const query = errorFaceOfPath(url.pathname) === "google" ? url.searchParams : undefined;
    const key = callerKeyOf((name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    }, query);
    if (key === undefined) return undefined;
    const given = digest(key);
    let found: Caller | undefined;
    for (const entry of known) if (timingSafeEqual(given, entry.digest)) found ??= entry.caller;
    if (found) return found;
    const record = managed().apiKeysByHash.get(given.toString("hex"));
    if (!record) return undefined;
    return callerOf(record);
  };
}

function gatewayLimits(record: ApiKeyRecord): CallerLimits {
  const rate = record.rate_limits;
  return {
    id: record.id,
    name: record.name,
    ...(record.allowed_models ? { allowedModels: record.allowed_models } : {}),
    ...(record.budget ? { budget: record.budget } : {}),
    ...(rate
      ? {
          rateLimit: {
            ...(rate.requests_per_minute ? { requestsPerMinute: rate.requests_per_minute } : {}),
            ...(rate.tokens_per_minute ? { tokensPerMinute: rate.tokens_per_minute } : {}),
          },
        }
      : {}),
  };
}

// One caller per stored record (a new snapshot brings new records), not one per request.
const callers = new WeakMap<ApiKeyRecord, Caller>();
function callerOf(record: ApiKeyRecord): Caller {
  let caller = callers.get(record);
  if (!caller) {
    caller = {
      name: record.name,
      scopes: new Set(record.scopes),
      keyId: record.id,
      ...(record.allowed_models || record.budget || record.rate_limits
        ? { limits: gatewayLimits(record) }
        : {}),
    };
    callers.set(record, caller);
  }
  return caller;
}
