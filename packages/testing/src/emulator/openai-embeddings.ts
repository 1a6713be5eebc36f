import { countTokens } from "./tokens.js";

const DIMENSIONS = 8;

/** A deterministic unit vector for a text: same text, same vector; different texts, different vectors. */
export function embed(text: string, dimensions = DIMENSIONS): number[] {
  const vector: number[] = [];
  let state = 2166136261;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 16777619);
  for (let d = 0; d < dimensions; d++) {
    state = Math.imul(state ^ (d + 1), 2654435761) >>> 0;
    vector.push((state / 0xffffffff) * 2 - 1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}

/** OpenAI's `POST /embeddings` answer for a request body, or an error message for a bad one. */
export function openAIEmbeddings(body: unknown): Record<string, unknown> | string {
  const { model, input, dimensions, encoding_format } = (body ?? {}) as Record<string, unknown>;
  if (typeof model !== "string") return "you must provide a model parameter";
  const inputs = typeof input === "string" ? [input] : Array.isArray(input) ? input : undefined;
  if (!inputs || inputs.length === 0 || !inputs.every((item) => typeof item === "string"))
    return "'input' must be a string or a non-empty array of strings";
  if (encoding_format !== undefined && encoding_format !== "float" && encoding_format !== "base64")
    return "encoding_format must be 'float' or 'base64'";
  // base64: the vector's float32 values, little-endian, as OpenAI sends them (the openai SDK asks for this).
  const encode = (vector: number[]) =>
    encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
  const size = typeof dimensions === "number" ? dimensions : DIMENSIONS;
  const tokens = inputs.reduce((sum: number, text) => sum + countTokens(text as string), 0);
  return {
    object: "list",
    model,
    data: inputs.map((text, index) => ({
      object: "embedding",
      index,
      embedding: encode(embed(text as string, size)),
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
