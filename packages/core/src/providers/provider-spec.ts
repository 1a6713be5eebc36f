/** The client APIs a caller may speak that some provider also speaks natively (for pass-through). */
export type NativeFormat = "anthropic-messages" | "openai-responses" | "google-gemini";

export type WireFormatId =
  | "openai-chat"
  | "anthropic-messages"
  | "google-gemini"
  | "bedrock-converse"
  | "cohere-chat"
  | "replicate-predictions";

/** How a provider wants its key: which header, in which form. */
export type AuthScheme = "bearer" | "x-api-key" | "api-key" | "x-goog-api-key" | "google-oauth" | "sigv4";

/**
 * Where a provider's endpoints sit under its base URL: `path` (the API's path appended: `/chat/completions`),
 * `azure-deployments` (Azure OpenAI: `/openai/deployments/{deployment}/…?api-version=`, or `/openai/v1/…` when
 * the API version is `v1`), `azure-inference` (Azure AI model inference: `/models/…?api-version=`), `vertex`
 * (Vertex AI: `/v1/projects/{p}/locations/{l}/publishers/{google|anthropic}/models/{m}:{method}`).
 */
export type EndpointStyle = "path" | "azure-deployments" | "azure-inference" | "vertex" | "bedrock";

/** How Keyway reaches one provider. */
export interface ProviderSpec {
  /** Respan's provider id (the keys of `customer_credentials`). */
  id: string;
  /** Base URL the wire path is appended to (`/chat/completions` or `/messages`). */
  baseURL: string;
  format: WireFormatId;
  /** Env var holding the provider's key, if any. */
  envVar?: string;
  /** Env vars read when `envVar` is unset (Google's clients also read `GOOGLE_API_KEY`). */
  altEnvVars?: readonly string[];
  /** Other ids that name this provider in model prefixes, hints and `customer_credentials` (`gemini`). */
  aliases?: readonly string[];
  /** Extra headers on every upstream request. */
  headers?: Record<string, string>;
  /** Model ids routed here without a `provider/` prefix (custom providers). */
  models?: readonly string[];
  /** True for providers from config rather than the built-in registry. */
  custom?: boolean;
  /** Custom OpenAI-compatible servers may need no key at all. */
  keyOptional?: boolean;
  /** Serves OpenAI's `/embeddings` (custom OpenAI-compatible providers are assumed to). */
  embeddings?: boolean;
  /** Client APIs served natively besides its wire format (OpenAI: the Responses API), for pass-through. */
  speaks?: readonly NativeFormat[];
  /** The key's header (default: by wire format — bearer, Anthropic's `x-api-key`, Gemini's `x-goog-api-key`). */
  auth?: AuthScheme;
  /** Where its endpoints are (default `path`). */
  endpoint?: EndpointStyle;
  /** The `api-version` its endpoints take (Azure), unless a credential brings its own. */
  apiVersion?: string;
  /** Env vars holding the base URL when it has no public one (an Azure resource's endpoint). */
  baseURLEnvVars?: readonly string[];
  /** Model id → the name the provider serves it under (Azure deployments). */
  deployments?: Readonly<Record<string, string>>;
  /** Vertex AI: the project and location calls go to, unless a credential names its own. */
  project?: string;
  location?: string;
  /** AWS: the region calls go to, unless a credential names its own. */
  region?: string;
  /** The provider's own documentation of its endpoint, cited in the README's provider table. */
  docs?: string;
  /** A provider that no longer exists: calls to it are a 400 with this reason. */
  retired?: string;
  /** Models served in another wire format than the provider's (Claude on Vertex speaks Anthropic's Messages). */
  variants?: readonly { pattern: RegExp; format: WireFormatId }[];
}

/** Bedrock's runtime host, per region. */
export const BEDROCK_BASE_URL = "https://bedrock-runtime.{region}.amazonaws.com";

/** Vertex AI's global host; a regional location has its own (`us-east5-aiplatform.googleapis.com`). */
export const VERTEX_BASE_URL = "https://aiplatform.googleapis.com";

const openai = (id: string, baseURL: string, envVar: string, embeddings = false): ProviderSpec => ({
  id,
  baseURL,
  format: "openai-chat",
  envVar,
  ...(embeddings ? { embeddings } : {}),
});

/** The built-in providers: Respan's ids and public base URLs. */
export const builtInProviders: readonly ProviderSpec[] = Object.freeze([
  { ...openai("openai", "https://api.openai.com/v1", "OPENAI_API_KEY", true), speaks: ["openai-responses"] },
  {
    id: "anthropic",
    baseURL: "https://api.anthropic.com/v1",
    format: "anthropic-messages",
    envVar: "ANTHROPIC_API_KEY",
  },
  {
    id: "google",
    baseURL: "https://generativelanguage.googleapis.com/v1beta",
    format: "google-gemini",
    envVar: "GEMINI_API_KEY",
    altEnvVars: ["GOOGLE_API_KEY"],
    aliases: ["gemini"],
  },
  openai("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
  openai("fireworks", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY", true),
  openai("togetherai", "https://api.together.xyz/v1", "TOGETHER_API_KEY", true),
  openai("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY", true),
  openai("deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
  openai("xai", "https://api.x.ai/v1", "XAI_API_KEY"),
  openai("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
  openai("perplexity", "https://api.perplexity.ai", "PERPLEXITY_API_KEY"),
  openai("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
  openai("moonshot", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY"),
  {
    ...openai("baseten", "https://inference.baseten.co/v1", "BASETEN_API_KEY"),
    docs: "https://docs.baseten.co/development/model-apis/overview",
  },
  {
    ...openai("nebius", "https://api.tokenfactory.nebius.com/v1", "NEBIUS_API_KEY", true),
    aliases: ["nebius_ai"],
    docs: "https://docs.tokenfactory.nebius.com/quickstart",
  },
  {
    ...openai("novita", "https://api.novita.ai/openai/v1", "NOVITA_API_KEY", true),
    aliases: ["novita_ai"],
    docs: "https://novita.ai/docs/guides/llm-api",
  },
  {
    ...openai("parasail", "https://api.parasail.io/v1", "PARASAIL_API_KEY", true),
    docs: "https://docs.parasail.io/parasail-docs/serverless/serverless-api",
  },
  {
    ...openai("inference_net", "https://api.inference.net/v1", "INFERENCE_API_KEY"),
    aliases: ["inference.net", "inferencenet"],
    docs: "https://docs.inference.net/quickstart",
  },
  {
    ...openai("nextbit", "https://api.nextbit256.com/v1", "NEXTBIT_API_KEY"),
    docs: "https://docs.nextbit256.com",
  },
  {
    ...openai("ai21", "https://api.ai21.com/studio/v1", "AI21_API_KEY"),
    aliases: ["ai21_labs"],
    docs: "https://docs.ai21.com/reference/jamba-1-6-api-ref",
  },
  // Wafer serves Anthropic's Messages API too: a Messages call there passes through as it came.
  {
    ...openai("wafer", "https://pass.wafer.ai/v1", "WAFER_API_KEY"),
    speaks: ["anthropic-messages"],
    docs: "https://docs.wafer.ai",
  },
  // Cohere's own v2 API: its OpenAI compatibility API refuses stream_options, so streams there carry no usage.
  {
    id: "cohere",
    baseURL: "https://api.cohere.com/v2",
    format: "cohere-chat",
    envVar: "COHERE_API_KEY",
    altEnvVars: ["CO_API_KEY"],
    aliases: ["cohere_ai"],
    embeddings: true,
    docs: "https://docs.cohere.com/reference/chat",
  },
  // Replicate runs models as predictions: `replicate/{owner}/{name}`, its language models' prompt inputs.
  {
    id: "replicate",
    baseURL: "https://api.replicate.com/v1",
    format: "replicate-predictions",
    envVar: "REPLICATE_API_TOKEN",
    altEnvVars: ["REPLICATE_API_KEY"],
    docs: "https://replicate.com/docs/reference/http#models.predictions.create",
  },
  {
    ...openai("palm", "https://generativelanguage.googleapis.com/v1beta2", "PALM_API_KEY"),
    retired:
      "Google retired the PaLM API (its models were shut down in 2024); use a Gemini model instead, e.g. google/gemini-2.5-flash",
  },
  // Azure has no public endpoint: each resource is its own host (`https://{resource}.openai.azure.com`).
  {
    ...openai("azure", "", "AZURE_OPENAI_API_KEY", true),
    altEnvVars: ["AZURE_API_KEY"],
    aliases: ["azure_openai"],
    auth: "api-key",
    endpoint: "azure-deployments",
    apiVersion: "2024-10-21",
    baseURLEnvVars: ["AZURE_OPENAI_ENDPOINT", "AZURE_API_BASE"],
    speaks: ["openai-responses"],
  },
  {
    id: "vertex_ai",
    // Replaced by the location's own host (`{location}-aiplatform.googleapis.com`) unless overridden.
    baseURL: VERTEX_BASE_URL,
    format: "google-gemini",
    envVar: "GOOGLE_APPLICATION_CREDENTIALS",
    aliases: ["google_vertex_ai", "vertex"],
    auth: "google-oauth",
    endpoint: "vertex",
    variants: [{ pattern: /^claude-/, format: "anthropic-messages" }],
  },
  {
    id: "bedrock",
    // `{region}` becomes the credential's region unless the base URL is overridden.
    baseURL: BEDROCK_BASE_URL,
    format: "bedrock-converse",
    envVar: "AWS_BEARER_TOKEN_BEDROCK",
    aliases: ["aws_bedrock"],
    auth: "sigv4",
    endpoint: "bedrock",
    embeddings: true,
  },
  {
    ...openai("azure_ai", "", "AZURE_AI_API_KEY", true),
    aliases: ["azure_deepseek"],
    auth: "api-key",
    endpoint: "azure-inference",
    apiVersion: "2024-05-01-preview",
    baseURLEnvVars: ["AZURE_AI_ENDPOINT", "AZURE_AI_API_BASE"],
  },
]);

/** The scheme a provider names, or the one its wire format implies. */
export function authSchemeOf(provider: ProviderSpec): AuthScheme {
  if (provider.auth) return provider.auth;
  if (provider.format === "anthropic-messages") return "x-api-key";
  if (provider.format === "google-gemini") return "x-goog-api-key";
  return "bearer";
}

/** Bare model ids that belong to a provider by their family name. */
export const modelFamilies: readonly { pattern: RegExp; provider: string }[] = [
  { pattern: /^claude-/, provider: "anthropic" },
  { pattern: /^(?:gpt-|o1|o3|o4|chatgpt-|text-embedding-)/, provider: "openai" },
  { pattern: /^accounts\/fireworks\//, provider: "fireworks" },
  { pattern: /^gemini-/, provider: "google" },
  { pattern: /^jamba-/, provider: "ai21" },
  { pattern: /^(?:command-|c4ai-|embed-(?:v4|english-|multilingual-))/, provider: "cohere" },
];
