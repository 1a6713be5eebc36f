import { InvalidRequestError } from "../../errors/errors.js";
import type { OpenAIEmbeddingsRequest, OpenAIEmbeddingsResponse } from "../openai-types.js";

type Json = Record<string, unknown>;

const inputTypes = new Set(["search_document", "search_query", "classification", "clustering"]);
const known = new Set(["model", "input", "encoding_format", "dimensions", "user", "input_type"]);

/**
 * An OpenAI embeddings request as Cohere's v2 Embed body (`POST /v2/embed`): texts, `dimensions` as
 * `output_dimension`, base64 asked as Cohere's `base64` embedding type. Cohere needs to know what the texts are
 * for: `input_type` (Cohere's own field, passed through) defaults to `search_document`, the stored side of a search.
 */
export function toCohereEmbed(
  model: string,
  request: OpenAIEmbeddingsRequest,
  ignore: ReadonlySet<string>,
): Json {
  for (const [key, value] of Object.entries(request))
    if (value !== undefined && value !== null && !known.has(key) && !ignore.has(key))
      throw new InvalidRequestError(`${key} cannot be sent to Cohere's Embed API`, { field: key });
  const inputs = typeof request.input === "string" ? [request.input] : (request.input as unknown[]);
  if (!inputs.every((input) => typeof input === "string"))
    throw new InvalidRequestError("Cohere embeds text: input must be a string or strings", {
      field: "input",
    });
  const inputType = request.input_type ?? "search_document";
  if (typeof inputType !== "string" || !inputTypes.has(inputType))
    throw new InvalidRequestError(`input_type must be one of ${[...inputTypes].join(", ")}`, {
      field: "input_type",
    });
  return {
    model,
    texts: inputs,
    input_type: inputType,
    embedding_types: [request.encoding_format === "base64" ? "base64" : "float"],
    ...(request.dimensions ? { output_dimension: request.dimensions } : {}),
  };
}

/** Embed's answer (`embeddings` by type, billed input tokens) in OpenAI's shape, or undefined if it is none. */
export function fromCohereEmbed(
  answer: Json,
  request: OpenAIEmbeddingsRequest,
  requestedModel: string,
): OpenAIEmbeddingsResponse | undefined {
  const byType = (answer.embeddings ?? {}) as Json;
  const vectors = request.encoding_format === "base64" ? byType.base64 : byType.float;
  if (!Array.isArray(vectors)) return undefined;
  const billed = ((answer.meta as Json | undefined)?.billed_units ?? {}) as Json;
  const tokens = typeof billed.input_tokens === "number" ? billed.input_tokens : 0;
  return {
    object: "list",
    model: requestedModel,
    data: (vectors as (number[] | string)[]).map((embedding, index) => ({
      object: "embedding",
      index,
      embedding,
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
