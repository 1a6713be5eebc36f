import { type ProviderSpec, VERTEX_BASE_URL } from "../../providers/provider-spec.js";

/** What of an attempt decides its URL. */
export interface EndpointTarget {
  provider: ProviderSpec;
  baseURL: string;
  apiVersion?: string | undefined;
  upstreamModel: string;
  project?: string;
  location?: string;
  region?: string;
}

/**
 * Vertex AI: Gemini's path under `publishers/google`, Claude's `:rawPredict` / `:streamRawPredict` under
 * `publishers/anthropic`, on the location's own host (`global` has none of its own) unless the base URL is set.
 */
function vertexURL(target: EndpointTarget, path: string, stream: boolean): string {
  const location = target.location ?? "us-central1";
  const base =
    target.baseURL === VERTEX_BASE_URL && location !== "global"
      ? `https://${location}-aiplatform.googleapis.com`
      : target.baseURL;
  const root = `${base}/v1/projects/${encodeURIComponent(target.project ?? "")}/locations/${encodeURIComponent(location)}`;
  if (target.provider.format === "anthropic-messages")
    // Vertex writes Claude's version after an `@` (`claude-sonnet-4-5@20250929`), kept as written.
    return `${root}/publishers/anthropic/models/${encodeURIComponent(target.upstreamModel).replaceAll("%40", "@")}:${stream ? "streamRawPredict" : "rawPredict"}`;
  return `${root}/publishers/google${path}`;
}

/**
 * The URL of one upstream call: the API's `path` (`/chat/completions`, `/embeddings`, `/responses`, Gemini's
 * `/models/{m}:generateContent`) where the provider's endpoint style puts it. Azure OpenAI serves each deployment
 * under `/openai/deployments/{deployment}/…?api-version=` (or, with API version `v1`, `/openai/v1/…`, the
 * deployment named in the body); Azure AI model inference under `/models/…?api-version=`.
 */
export function endpointURL(target: EndpointTarget, path: string, stream = false): string {
  const { baseURL, provider, apiVersion } = target;
  const style = provider.endpoint ?? "path";
  if (style === "path") return `${baseURL}${path}`;
  if (style === "vertex") return vertexURL(target, path, stream);
  if (style === "bedrock") return `${baseURL.replace("{region}", target.region ?? "us-east-1")}${path}`;
  const [route, query] = path.split("?") as [string, string | undefined];
  const params = new URLSearchParams(query);
  if (style === "azure-deployments") {
    if (apiVersion === "v1") return `${baseURL}/openai/v1${path}`;
    if (apiVersion) params.set("api-version", apiVersion);
    return `${baseURL}/openai/deployments/${encodeURIComponent(target.upstreamModel)}${route}?${params}`;
  }
  if (apiVersion) params.set("api-version", apiVersion);
  return `${baseURL}/models${route}?${params}`;
}
