import { fromInvokeEmbeddings, toInvokeEmbeddings } from "./bedrock/invoke-embeddings.js";
import { fromCohereEmbed, toCohereEmbed } from "./cohere/cohere-embed.js";
import type { OpenAIEmbeddingsRequest, OpenAIEmbeddingsResponse } from "./openai-types.js";

type Json = Record<string, unknown>;

/** A provider's own embeddings API: where it is, its body, and its answer in OpenAI's shape. */
export interface EmbeddingsAPI {
  path(model: string): string;
  body(model: string, request: OpenAIEmbeddingsRequest, ignore: ReadonlySet<string>): Json;
  answer(
    model: string,
    answer: Json,
    request: OpenAIEmbeddingsRequest,
    requestedModel: string,
  ): OpenAIEmbeddingsResponse | undefined;
}

/** Embeddings APIs that are not OpenAI's `/embeddings`, by the wire format of the provider that serves them. */
export const embeddingsAPIs: Readonly<Record<string, EmbeddingsAPI>> = {
  // Bedrock embeds through InvokeModel, in the embedding model's own body.
  "bedrock-converse": {
    path: (model) => `/model/${encodeURIComponent(model)}/invoke`,
    body: (model, request) => toInvokeEmbeddings(model, request),
    answer: fromInvokeEmbeddings,
  },
  "cohere-chat": {
    path: () => "/embed",
    body: toCohereEmbed,
    answer: (_model, answer, request, requestedModel) => fromCohereEmbed(answer, request, requestedModel),
  },
};
