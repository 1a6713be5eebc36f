import { InvalidRequestError } from "../../errors/errors.js";

/** What a request to the gateway asks for. Each wire format a route speaks is a codec behind `answer`. */
export type GatewayRoute = "chat" | "embeddings" | "messages" | "models" | "responses";

const routes: { suffix: string; route: GatewayRoute; method: "GET" | "POST" }[] = [
  { suffix: "/chat/completions", route: "chat", method: "POST" },
  { suffix: "/embeddings", route: "embeddings", method: "POST" },
  { suffix: "/responses", route: "responses", method: "POST" },
  // Anthropic's SDK appends /v1/messages to its base URL; /api/anthropic/v1/messages is Respan's path.
  { suffix: "/messages", route: "messages", method: "POST" },
  { suffix: "/models", route: "models", method: "GET" },
];

/**
 * The route a path ends with (any prefix: `/v1/chat/completions`, `/api/chat/completions`, `/llm/chat/completions`),
 * or undefined when the path is none of the gateway's. The right path with the wrong method is a 405.
 */
export function matchGatewayRoute(method: string, path: string): GatewayRoute | undefined {
  const trimmed = path.replace(/\/+$/, "");
  const found = routes.find((entry) => trimmed.endsWith(entry.suffix));
  if (!found) return undefined;
  if (method !== found.method)
    throw new InvalidRequestError(`Use ${found.method} for ${trimmed}`, {
      code: "method_not_allowed",
      statusCode: 405,
    });
  return found.route;
}

/** The client API a route speaks, for its errors. */
export const faceOf = (route: GatewayRoute | undefined): "openai" | "anthropic" =>
  route === "messages" ? "anthropic" : "openai";

/** The client API a request path speaks, for errors rendered outside the edge (a framework's error handler). */
export function errorFaceOfPath(path: string): "openai" | "anthropic" {
  const trimmed = path.replace(/\/+$/, "");
  return faceOf(routes.find((entry) => trimmed.endsWith(entry.suffix))?.route);
}
