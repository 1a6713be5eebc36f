import type { ProviderSpec } from "../../providers/provider-spec.js";

/** What of an attempt decides its URL. */
export interface EndpointTarget {
  provider: ProviderSpec;
  baseURL: string;
  apiVersion?: string | undefined;
  upstreamModel: string;
}

/**
 * The URL of one upstream call: the API's `path` (`/chat/completions`, `/embeddings`, `/responses`, Gemini's
 * `/models/{m}:generateContent`) where the provider's endpoint style puts it. Azure OpenAI serves each deployment
 * under `/openai/deployments/{deployment}/…?api-version=` (or, with API version `v1`, `/openai/v1/…`, the
 * deployment named in the body); Azure AI model inference under `/models/…?api-version=`.
 */
export function endpointURL(target: EndpointTarget, path: string): string {
  const { baseURL, provider, apiVersion } = target;
  const style = provider.endpoint ?? "path";
  if (style === "path") return `${baseURL}${path}`;
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
