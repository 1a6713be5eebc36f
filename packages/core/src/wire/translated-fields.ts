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
  /** Values of a field it acts on that it cannot serve, refused by `refuseUntranslated` (`n`: "1 only"). */
  limits?: Readonly<Partial<Record<string, Limit>>>;
  /**
   * Whether OpenAI's `user` (an end-user id for the provider's abuse monitoring) has a counterpart upstream;
   * without one it is accepted and not sent, the one field treated so, since it asks nothing of the answer.
   */
  sendsUser: boolean;
}

/** The shared fields less those a codec has no place for. */
export const actsOn = (without: readonly string[]): ReadonlySet<string> =>
  new Set(translatedChatFields.filter((field) => !without.includes(field)));

/** The limits a translation can put on a field it acts on: which values break each, and the 400 saying so. */
const limitChecks = {
  "1 only": {
    breaks: (value: unknown) => typeof value === "number" && value > 1,
    message: (field: string, api: string) =>
      `${field} above 1 cannot be sent to ${api}: it answers one choice per call.`,
  },
  // parallel_tool_calls: an API that may call several tools at once and cannot be told not to.
  "true only": {
    breaks: (value: unknown) => value === false,
    message: (field: string, api: string) => `${api} cannot be held to one tool call at a time (${field}).`,
  },
  "text only": {
    breaks: (value: unknown) => {
      const type = (value as { type?: unknown } | null | undefined)?.type;
      return typeof type === "string" && type !== "" && type !== "text";
    },
    message: (field: string, api: string, value: unknown) =>
      `${field} ${String((value as { type: unknown }).type)} cannot be sent to ${api}; describe the JSON in the prompt or use a model of a provider with structured outputs.`,
  },
} as const;
export type Limit = keyof typeof limitChecks;

/**
 * A 400 naming the first field in `request` that the translation cannot serve: one it does not act on (nor Keyway)
 * asking for something, or a value beyond the limit it declares for a field it acts on.
 */
export function refuseUntranslated(
  request: Record<string, unknown>,
  translation: ChatTranslation,
  ignore: ReadonlySet<string>,
): void {
  for (const [key, value] of Object.entries(request)) {
    if (ignore.has(key)) continue;
    if (translation.acts.has(key)) {
      const limit = translation.limits?.[key];
      const check = limit ? limitChecks[limit] : undefined;
      if (check?.breaks(value))
        throw new InvalidRequestError(check.message(key, translation.api, value), { field: key });
      continue;
    }
    if (!asksForSomething(key, value)) continue;
    throw new InvalidRequestError(
      `${key} cannot be sent to ${translation.api}; leave it out for its models.`,
      { field: key },
    );
  }
}
