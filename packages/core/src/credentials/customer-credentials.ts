import { InvalidRequestError } from "../errors/errors.js";
import { awsKeyText } from "./aws-keys.js";
import { entraTokenText } from "./entra-token.js";

/** One BYOK key a request brought, whichever of Respan's shapes it came in. */
export interface CustomerKey {
  provider: string;
  apiKey: string;
  weight: number;
  apiBase?: string;
  /** Azure: the `api-version` for this key's resource. */
  apiVersion?: string;
  /** Vertex AI: the project and location this service account calls. */
  project?: string;
  location?: string;
  /** AWS: the region these keys call. */
  region?: string;
  /** Azure: model id → deployment name for this key's resource (Respan's `model_name_map`). */
  modelNameMap?: Record<string, string>;
  availableModels?: string[];
  excludeModels?: string[];
}

type Json = Record<string, unknown>;

type KeyFields = Pick<
  CustomerKey,
  "apiKey" | "apiBase" | "apiVersion" | "project" | "location" | "region" | "modelNameMap"
>;

function modelNameMapOf(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((name) => typeof name === "string" && name !== "")
  )
    throw new InvalidRequestError(`${path}.model_name_map must map model ids to deployment names`, {
      field: `${path}.model_name_map`,
    });
  return value as Record<string, string>;
}

/** AWS's shape (Respan's and LiteLLM's names): the keys are held as one credential string. */
function awsKeyOf(c: Json, path: string): KeyFields {
  const text = (name: string, required: boolean) => {
    const value = c[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value === "")
      throw new InvalidRequestError(`${path}.${name} must be a non-empty string`, {
        field: `${path}.${name}`,
      });
    return value;
  };
  const region = text("aws_region_name", false);
  if (region !== undefined && !/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region))
    throw new InvalidRequestError(`${path}.aws_region_name is not an AWS region`, {
      field: `${path}.aws_region_name`,
    });
  return {
    apiKey: awsKeyText({
      accessKeyId: text("aws_access_key_id", true) as string,
      secretAccessKey: text("aws_secret_access_key", true) as string,
      sessionToken: text("aws_session_token", false),
    }),
    ...(region ? { region } : {}),
  };
}

/** Vertex AI's shape (Respan's and LiteLLM's names): the service account's JSON is its key. */
function vertexKeyOf(c: Json, path: string): KeyFields {
  const account = c.vertex_ai_credentials;
  if (typeof account !== "string" && (typeof account !== "object" || account === null))
    throw new InvalidRequestError(`${path}.vertex_ai_credentials must be the service account's JSON`, {
      field: `${path}.vertex_ai_credentials`,
    });
  const place: Json = {};
  for (const [name, key] of [
    ["vertex_ai_project", "project"],
    ["vertex_ai_location", "location"],
  ] as const) {
    const value = c[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || !/^[a-z0-9-]+$/.test(value))
      throw new InvalidRequestError(`${path}.${name} must be a Google Cloud ${key} id`, {
        field: `${path}.${name}`,
      });
    place[key] = value;
  }
  return { apiKey: typeof account === "string" ? account : JSON.stringify(account), ...place };
}

function keyOf(credentials: unknown, path: string): KeyFields {
  const c = credentials as Json | undefined;
  if (c?.vertex_ai_credentials !== undefined && c.api_key === undefined) return vertexKeyOf(c, path);
  if (c?.aws_access_key_id !== undefined && c.api_key === undefined) return awsKeyOf(c, path);
  if (typeof c?.azure_ad_token === "string" && c.api_key === undefined)
    return { ...keyOf({ ...c, api_key: c.azure_ad_token }, path), apiKey: entraTokenText(c.azure_ad_token) };
  const apiKey = c?.api_key;
  if (typeof apiKey !== "string" || apiKey === "")
    throw new InvalidRequestError(`${path}.api_key must be a non-empty string`, { field: `${path}.api_key` });
  const { api_base: apiBase, api_version: apiVersion } = c ?? {};
  for (const [name, value] of [
    ["api_base", apiBase],
    ["api_version", apiVersion],
  ] as const)
    if (value !== undefined && (typeof value !== "string" || value === ""))
      throw new InvalidRequestError(`${path}.${name} must be a non-empty string`, {
        field: `${path}.${name}`,
      });
  const modelNameMap = modelNameMapOf(c?.model_name_map, path);
  return {
    apiKey,
    ...(typeof apiBase === "string" ? { apiBase } : {}),
    ...(typeof apiVersion === "string" ? { apiVersion } : {}),
    ...(modelNameMap ? { modelNameMap } : {}),
  };
}

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;

/**
 * Reads `customer_credentials` in the three shapes seen in the wild:
 * 1. `{ groq: { api_key } }`
 * 2. `{ openai: [{ weight, credentials: { api_key } }, …] }`
 * 3. `[{ credentials: { openai: { api_key } }, weight, available_models, exclude_models }, …]`
 */
export function parseCustomerCredentials(value: unknown, field = "customer_credentials"): CustomerKey[] {
  if (value === undefined || value === null) return [];
  const keys: CustomerKey[] = [];
  if (Array.isArray(value)) {
    value.forEach((entry, index) => {
      const e = entry as Json;
      const credentials = e?.credentials as Json | undefined;
      if (typeof credentials !== "object" || credentials === null) {
        throw new InvalidRequestError(
          `${field}[${index}].credentials must be an object of provider → { api_key }`,
          { field: `${field}.${index}.credentials` },
        );
      }
      for (const [provider, inner] of Object.entries(credentials)) {
        const availableModels = stringList(e.available_models);
        const excludeModels = stringList(e.exclude_models);
        keys.push({
          provider,
          ...keyOf(inner, `${field}.${index}.credentials.${provider}`),
          weight: typeof e.weight === "number" ? e.weight : 1,
          ...(availableModels ? { availableModels } : {}),
          ...(excludeModels ? { excludeModels } : {}),
        });
      }
    });
    return keys;
  }
  if (typeof value !== "object")
    throw new InvalidRequestError(`${field} must be an object or an array`, { field });
  for (const [provider, entry] of Object.entries(value as Json)) {
    if (Array.isArray(entry)) {
      entry.forEach((item, index) => {
        const i = item as Json;
        keys.push({
          provider,
          ...keyOf(i?.credentials ?? i, `${field}.${provider}.${index}`),
          weight: typeof i?.weight === "number" ? i.weight : 1,
        });
      });
    } else {
      const e = entry as Json;
      keys.push({
        provider,
        ...keyOf(e, `${field}.${provider}`),
        weight: typeof e?.weight === "number" ? e.weight : 1,
      });
    }
  }
  return keys;
}

/** Whether a customer key may serve `model` (checked against the full and the upstream model id). */
export function keyServesModel(key: CustomerKey, models: readonly string[]): boolean {
  if (key.excludeModels?.some((m) => models.includes(m))) return false;
  if (key.availableModels && !key.availableModels.some((m) => models.includes(m))) return false;
  return true;
}
