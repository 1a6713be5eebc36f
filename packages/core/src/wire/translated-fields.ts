import { InvalidRequestError } from "../errors/errors.js";
import { asksForSomething } from "./json-items.js";

/** The chat request fields a translation into another provider's API can act on (each maps them its own way). */
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
  "parallel_tool_calls",
  "user",
];

/** What one codec does with the chat request's fields: the README's parameter table is made of these. */
export interface ChatTranslation {
  /** The API, as error messages and the table name it. */
  api: string;
  /** The fields it acts on; any other asking for something is a 400 naming it. */
  acts: ReadonlySet<string>;
  /** Values it cannot act on, refused by the codec (`n`: "1 only"). */
  limits?: Readonly<Record<string, string>>;
  /**
   * Whether OpenAI's `user` (an end-user id for the provider's abuse monitoring) has a counterpart upstream;
   * without one it is accepted and not sent, the one field treated so, since it asks nothing of the answer.
   */
  sendsUser: boolean;
}

/** The shared fields less those a codec has no place for. */
export const actsOn = (without: readonly string[]): ReadonlySet<string> =>
  new Set(translatedChatFields.filter((field) => !without.includes(field)));

/** A 400 naming the first field in `request` asking for something that the translation does not act on (nor Keyway). */
export function refuseUntranslated(
  request: Record<string, unknown>,
  translation: ChatTranslation,
  ignore: ReadonlySet<string>,
): void {
  for (const [key, value] of Object.entries(request)) {
    if (translation.acts.has(key) || ignore.has(key) || !asksForSomething(key, value)) continue;
    throw new InvalidRequestError(
      `${key} cannot be sent to ${translation.api}; leave it out for its models.`,
      { field: key },
    );
  }
}

/** `parallel_tool_calls: false` toward an API that may call several tools at once and cannot be told not to. */
export function refuseSerialTools(request: Record<string, unknown>, api: string): void {
  if (request.parallel_tool_calls === false)
    throw new InvalidRequestError(`${api} cannot be held to one tool call at a time (parallel_tool_calls).`, {
      field: "parallel_tool_calls",
    });
}

/** `n` above 1 toward an API that answers one message per call. */
export function refuseSeveralChoices(request: Record<string, unknown>, api: string): void {
  if (typeof request.n === "number" && request.n > 1)
    throw new InvalidRequestError(`n above 1 cannot be sent to ${api}: it answers one choice per call.`, {
      field: "n",
    });
}
