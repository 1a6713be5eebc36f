import { hasPriceTable } from "../pricing/compute-cost.js";
import { authSchemeOf, builtInProviders, type ProviderSpec } from "./provider-spec.js";

const endpointsOf = (provider: ProviderSpec): string => {
  const apis: Record<string, string> = {
    "openai-chat": "chat",
    "anthropic-messages": "Messages",
    "google-gemini": "Gemini",
    "bedrock-converse": "Converse",
    "cohere-chat": "Cohere v2 Chat",
    "replicate-predictions": "predictions (chat)",
  };
  const served = [apis[provider.format] ?? provider.format];
  for (const variant of provider.variants ?? [])
    served.push(`${apis[variant.format]} (${variant.pattern.source})`);
  for (const native of provider.speaks ?? [])
    served.push(native === "openai-responses" ? "Responses" : (apis[native] ?? native));
  if (provider.embeddings) served.push("embeddings");
  return served.join(", ");
};

const cell = (text: string) => text.replaceAll("|", "\\|");

/**
 * The README's table of every built-in provider, generated from the registry (a test compares the README with
 * it, so the two cannot drift): id, aliases, base URL, auth scheme, endpoints, key env vars, price source.
 */
export function providerTable(providers: readonly ProviderSpec[] = builtInProviders): string {
  const rows = providers.map((provider) =>
    [
      `\`${provider.id}\``,
      (provider.aliases ?? []).map((alias) => `\`${alias}\``).join(", ") || "—",
      provider.retired
        ? "retired"
        : provider.baseURL
          ? provider.docs
            ? `[${provider.baseURL}](${provider.docs})`
            : provider.baseURL
          : "per resource (`baseURL`)",
      authSchemeOf(provider),
      provider.retired ? "— (a 400 pointing at Gemini)" : endpointsOf(provider),
      [provider.envVar, ...(provider.altEnvVars ?? [])]
        .filter(Boolean)
        .map((name) => `\`${name}\``)
        .join(", ") || "—",
      hasPriceTable(provider.id) ? "genai-prices" : "none (cost absent)",
    ]
      .map((value) => cell(String(value)))
      .join(" | "),
  );
  return [
    "| id | aliases | base URL | auth | endpoints | key env | prices |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((row) => `| ${row} |`),
  ].join("\n");
}
