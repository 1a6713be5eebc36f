import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Entra ID (Azure AD) access tokens the emulated Azure resources accept, each until it expires. */
export class EntraTokens {
  readonly #tokens = new Map<string, number>();

  /** A token for the Cognitive Services scope, live for `lifetimeSeconds`. */
  create(lifetimeSeconds = 3600): string {
    const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString("base64url")}.emu`;
    this.#tokens.set(token, Date.now() + lifetimeSeconds * 1000);
    return token;
  }

  live(token: string): boolean {
    return (this.#tokens.get(token) ?? 0) > Date.now();
  }
}

/** The API versions the emulated Azure resources accept (GA and preview, as Azure lists them). */
const openAIVersions = new Set([
  "2024-02-01",
  "2024-06-01",
  "2024-10-21",
  "2024-12-01-preview",
  "2025-01-01-preview",
  "2025-03-01-preview",
  "2025-04-01-preview",
]);
const inferenceVersions = new Set(["2024-05-01-preview", "2024-08-01-preview", "2025-05-01"]);

const notFound = { status: 404, body: { error: { code: "404", message: "Resource not found" } } };
const denied = {
  status: 401,
  body: {
    error: {
      code: "401",
      message:
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
    },
  },
};

export type AzureGate =
  | { refuse: { status: number; body: unknown } }
  | { apiKey: string; deployment?: string };

/**
 * Azure OpenAI under `/azure/…` and Azure AI model inference under `/azure-ai/…`, refused as Azure refuses:
 * a deployment path without a known `api-version`, or any path not Azure's, is a 404 "Resource not found"; a
 * request without an `api-key` header or a live Entra ID token (inference also takes its key as a bearer
 * token) is a 401. Other paths are not Azure's: undefined.
 */
export function azureGate(req: IncomingMessage, path: string, entra: EntraTokens): AzureGate | undefined {
  const url = new URL(req.url ?? "/", "http://emulator.local");
  const version = url.searchParams.get("api-version");
  const header = req.headers["api-key"];
  const auth = req.headers.authorization;
  const bearer = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
  // An Entra ID token stands in for the api-key, if this tenant issued it and it has not expired.
  const apiKey =
    typeof header === "string" && header !== "" ? header : bearer && entra.live(bearer) ? bearer : undefined;
  // Two resources: `/azure/` and `/azure-west/` (a pool of Azure resources spans both).
  if (path.startsWith("/azure/") || path.startsWith("/azure-west/")) {
    const deployment =
      /^\/azure(?:-west)?\/openai\/deployments\/([^/]+)\/(?:chat\/completions|embeddings|responses)$/.exec(
        path,
      );
    const v1 = /^\/azure(?:-west)?\/openai\/v1\/(?:chat\/completions|embeddings|responses)$/.test(path);
    if (!deployment && !v1) return { refuse: notFound };
    if (deployment && (!version || !openAIVersions.has(version))) return { refuse: notFound };
    if (!apiKey) return { refuse: denied };
    return deployment ? { apiKey, deployment: decodeURIComponent(deployment[1] as string) } : { apiKey };
  }
  if (path.startsWith("/azure-ai/")) {
    if (!/^\/azure-ai\/models\/(?:chat\/completions|embeddings)$/.test(path)) return { refuse: notFound };
    if (!version || !inferenceVersions.has(version)) return { refuse: notFound };
    const key = apiKey ?? bearer;
    return key ? { apiKey: key } : { refuse: denied };
  }
  return undefined;
}
