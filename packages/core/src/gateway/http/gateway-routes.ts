import { InvalidRequestError } from "../../errors/errors.js";

/** What a request to the gateway asks for. Each wire format a route speaks is a codec behind `answer`. */
export type GatewayRoute = "chat" | "embeddings" | "gemini" | "messages" | "models" | "responses";

/** A matched route; Gemini's routes also name the model and whether to stream in their path. */
export interface GatewayMatch {
  route: GatewayRoute;
  model?: string;
  stream?: boolean;
}

const routes: { suffix: string; route: GatewayRoute; method: "GET" | "POST" }[] = [
  { suffix: "/chat/completions", route: "chat", method: "POST" },
  { suffix: "/embeddings", route: "embeddings", method: "POST" },
  { suffix: "/responses", route: "responses", method: "POST" },
  // Anthropic's SDK appends /v1/messages to its base URL; /api/anthropic/v1/messages is Respan's path.
  { suffix: "/messages", route: "messages", method: "POST" },
  { suffix: "/models", route: "models", method: "GET" },
];

/**
 * Gemini's `…/v1beta/models/{model}:generateContent` (and `v1`, and `:streamGenerateContent`) under any prefix.
 * The last version segment wins, so a prefix may itself contain one; `@ai-sdk/google` leaves `models/` out for a
 * model id with a slash (`…/v1beta/groq/llama-3.1-8b-instant:generateContent`).
 */
const geminiPath = /^.*\/(?:v1beta|v1)\/(?:models\/)?(.+):(generateContent|streamGenerateContent)$/;

function decodeModel(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidRequestError("The model in the path is not valid percent-encoding.", { field: "model" });
  }
}

function methodCheck(method: string, expected: string, path: string): void {
  if (method !== expected)
    throw new InvalidRequestError(`Use ${expected} for ${path}`, {
      code: "method_not_allowed",
      statusCode: 405,
    });
}

/**
 * The route a path ends with (any prefix: `/v1/chat/completions`, `/api/chat/completions`, `/llm/chat/completions`),
 * or undefined when the path is none of the gateway's. The right path with the wrong method is a 405.
 */
export function matchGatewayRoute(method: string, path: string): GatewayMatch | undefined {
  const trimmed = path.replace(/\/+$/, "");
  const gemini = geminiPath.exec(trimmed);
  if (gemini) {
    methodCheck(method, "POST", trimmed);
    const model = decodeModel(gemini[1] as string);
    return { route: "gemini", model, stream: gemini[2] === "streamGenerateContent" };
  }
  const found = routes.find((entry) => trimmed.endsWith(entry.suffix));
  if (!found) return undefined;
  methodCheck(method, found.method, trimmed);
  return { route: found.route };
}

/** The client API a route speaks, for its errors. */
export const faceOf = (route: GatewayRoute | undefined): "openai" | "anthropic" | "google" =>
  route === "messages" ? "anthropic" : route === "gemini" ? "google" : "openai";

/** The client API a request path speaks, for errors rendered outside the edge (a framework's error handler). */
export function errorFaceOfPath(path: string): "openai" | "anthropic" | "google" {
  const trimmed = path.replace(/\/+$/, "");
  if (geminiPath.test(trimmed)) return "google";
  return faceOf(routes.find((entry) => trimmed.endsWith(entry.suffix))?.route);
}
