import { randomBytes } from "node:crypto";
import type { ProviderEmulator } from "./provider-emulator.js";

/** The cloud models a test drives, one per cloud and wire format. */
export const cloudModels = [
  "azure/gpt-4o",
  "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
  "vertex_ai/gemini-2.5-flash",
  "vertex_ai/claude-sonnet-4-5@20250929",
] as const;

/**
 * Gateway `providers` for the three clouds on one emulator — an Azure OpenAI resource (deployment `prod-gpt4o`
 * for `gpt-4o`), Bedrock with temporary AWS keys, Vertex AI with a service account — and every secret they hold,
 * for a leak scan (`secrets()` includes the Vertex tokens issued so far).
 */
export function cloudProviders(emulator: ProviderEmulator): {
  providers: Record<string, Record<string, unknown>>;
  secrets: () => string[];
} {
  const azureKey = `azure-${randomBytes(12).toString("hex")}`;
  const aws = emulator.bedrock.createCredentials({ temporary: true });
  const account = emulator.vertex.createServiceAccount("cloud-project");
  const pemBody = account.private_key.split("\n").filter((line) => line && !line.startsWith("-----"));
  return {
    providers: {
      azure: { baseURL: `${emulator.url}/azure`, apiKey: azureKey, deployments: { "gpt-4o": "prod-gpt4o" } },
      bedrock: { baseURL: emulator.url, region: "us-west-2", ...aws },
      vertex_ai: { baseURL: emulator.url, serviceAccount: account, location: "us-east5" },
    },
    secrets: () => [
      azureKey,
      aws.secretAccessKey,
      aws.sessionToken as string,
      ...pemBody.slice(0, 3),
      ...emulator.vertex.issued.map((entry) => entry.token),
    ],
  };
}
