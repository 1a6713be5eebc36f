import { InvalidRequestError } from "../../errors/errors.js";
import type { OpenAIEmbeddingsRequest, OpenAIEmbeddingsResponse } from "../openai-types.js";

type Json = Record<string, unknown>;

const isTitan = (modelId: string) => /(?:^|\.)amazon\.titan-embed/.test(modelId);
const isCohere = (modelId: string) => /(?:^|\.)cohere\.embed/.test(modelId);

/**
 * An OpenAI embeddings request as Bedrock's InvokeModel body for the embedding model: Titan's `{inputText,
 * dimensions}` (one text a call: a list of several is a 400) or Cohere's `{texts, input_type}`; any other model is
 * a 400 naming the two families.
 */
export function toInvokeEmbeddings(modelId: string, request: OpenAIEmbeddingsRequest): Json {
  const inputs = typeof request.input === "string" ? [request.input] : (request.input as unknown[]);
  if (!inputs.every((input) => typeof input === "string"))
    throw new InvalidRequestError("Bedrock embeds text: input must be a string or strings", {
      field: "input",
    });
  if (isTitan(modelId)) {
    if (inputs.length !== 1)
      throw new InvalidRequestError("Titan embedding models take one input per call", { field: "input" });
    return {
      inputText: inputs[0],
      ...(request.dimensions ? { dimensions: request.dimensions, normalize: true } : {}),
    };
  }
  if (isCohere(modelId)) {
    if (request.dimensions)
      throw new InvalidRequestError("Cohere embedding models on Bedrock take no dimensions", {
        field: "dimensions",
      });
    return { texts: inputs, input_type: "search_document" };
  }
  throw new InvalidRequestError(
    `Bedrock embeddings go through Titan (amazon.titan-embed-*) or Cohere (cohere.embed-*) models, not "${modelId}"`,
    { field: "model", code: "embeddings_not_supported" },
  );
}

/** A float vector as OpenAI's base64 encoding: float32, little-endian. */
const base64Of = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString("base64");

/** InvokeModel's embedding answer in OpenAI's shape (base64 when the request asked for it), or undefined if it is none. */
export function fromInvokeEmbeddings(
  modelId: string,
  answer: Json,
  request: OpenAIEmbeddingsRequest,
  requestedModel: string,
): OpenAIEmbeddingsResponse | undefined {
  const vectors = isTitan(modelId)
    ? Array.isArray(answer.embedding)
      ? [answer.embedding as number[]]
      : undefined
    : Array.isArray(answer.embeddings)
      ? (answer.embeddings as number[][])
      : undefined;
  if (!vectors?.every((vector) => Array.isArray(vector))) return undefined;
  const tokens = typeof answer.inputTextTokenCount === "number" ? answer.inputTextTokenCount : 0;
  return {
    object: "list",
    model: requestedModel,
    data: vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: request.encoding_format === "base64" ? base64Of(vector) : vector,
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
