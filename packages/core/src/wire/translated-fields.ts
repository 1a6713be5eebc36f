import { InvalidRequestError } from "../errors/errors.js";
import { asksForSomething } from "./json-items.js";

/** The chat request fields a translation into another provider's API acts on (each maps them its own way). */
export const translatedChatFields: readonly string[] = [
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "n",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "response_format",
  "tools",
  "tool_choice",
  "user",
];

/** A 400 naming the first field in `request` asking for something that the translation to `api` does not act on (nor Keyway). */
export function refuseUntranslated(
  request: Record<string, unknown>,
  translated: ReadonlySet<string>,
  ignore: ReadonlySet<string>,
  api: string,
): void {
  for (const [key, value] of Object.entries(request)) {
    if (translated.has(key) || ignore.has(key) || !asksForSomething(key, value)) continue;
    throw new InvalidRequestError(`${key} cannot be sent to ${api}; leave it out for ${api} models.`, {
      field: key,
    });
  }
}
