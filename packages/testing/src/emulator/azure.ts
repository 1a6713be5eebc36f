import type { IncomingMessage } from "node:http";

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
 * request without an `api-key` header (Azure OpenAI takes no other key form; inference also takes a bearer key)
 * is a 401. Other paths are not Azure's: undefined.
 */
export function azureGate(req: IncomingMessage, path: string): AzureGate | undefined {
  const url = new URL(req.url ?? "/", "http://emulator.local");
  const version = url.searchParams.get("api-version");
  const header = req.headers["api-key"];
  const apiKey = typeof header === "string" && header !== "" ? header : undefined;
  if (path.startsWith("/azure/")) {
    const deployment =
      /^\/azure\/openai\/deployments\/([^/]+)\/(?:chat\/completions|embeddings|responses)$/.exec(path);
    const v1 = /^\/azure\/openai\/v1\/(?:chat\/completions|embeddings|responses)$/.test(path);
    if (!deployment && !v1) return { refuse: notFound };
    if (deployment && (!version || !openAIVersions.has(version))) return { refuse: notFound };
    if (!apiKey) return { refuse: denied };
    return deployment ? { apiKey, deployment: decodeURIComponent(deployment[1] as string) } : { apiKey };
  }
  if (path.startsWith("/azure-ai/")) {
    if (!/^\/azure-ai\/models\/(?:chat\/completions|embeddings)$/.test(path)) return { refuse: notFound };
    if (!version || !inferenceVersions.has(version)) return { refuse: notFound };
    const auth = req.headers.authorization;
    const bearer = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const key = apiKey ?? bearer;
    return key ? { apiKey: key } : { refuse: denied };
  }
  return undefined;
}
