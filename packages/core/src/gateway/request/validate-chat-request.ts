import { InvalidRequestError } from "../../errors/errors.js";
import { objectItems } from "../../wire/json-items.js";
import type { ChatRequest } from "../gateway-types.js";

/** Checks the parts of a chat request the gateway relies on; a 400 naming the first bad field otherwise. */
export function validateChatRequest(request: unknown): asserts request is ChatRequest {
  if (typeof request !== "object" || request === null || Array.isArray(request))
    throw new InvalidRequestError("The request body must be a JSON object.");
  const r = request as Record<string, unknown>;
  if (typeof r.model !== "string" || r.model.trim() === "")
    throw new InvalidRequestError("model is required and must be a string", { field: "model" });
  if (!Array.isArray(r.messages) || r.messages.length === 0)
    throw new InvalidRequestError("messages must be a non-empty array", { field: "messages" });
  r.messages.forEach((message, index) => {
    if (
      typeof message !== "object" ||
      message === null ||
      typeof (message as { role?: unknown }).role !== "string"
    ) {
      throw new InvalidRequestError(`messages[${index}].role must be a string`, {
        field: `messages.${index}.role`,
      });
    }
  });
  if (r.stream !== undefined && r.stream !== null && typeof r.stream !== "boolean")
    throw new InvalidRequestError("stream must be a boolean", { field: "stream" });
  for (const name of ["max_tokens", "max_completion_tokens", "temperature", "top_p"]) {
    if (r[name] !== undefined && r[name] !== null && typeof r[name] !== "number")
      throw new InvalidRequestError(`${name} must be a number`, { field: name });
  }
  if (r.tools !== undefined && r.tools !== null && !Array.isArray(r.tools))
    throw new InvalidRequestError("tools must be an array", { field: "tools" });
  if (Array.isArray(r.tools)) objectItems(r.tools, "tools");
}
