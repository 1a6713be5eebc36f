import { anthropicTranslation } from "../wire/anthropic/anthropic-request.js";
import { converseTranslation } from "../wire/bedrock/chat-to-converse.js";
import { cohereTranslation } from "../wire/cohere/chat-to-cohere.js";
import { geminiTranslation } from "../wire/gemini/gemini-request.js";
import { replicateTranslation } from "../wire/replicate/chat-to-replicate.js";
import { type ChatTranslation, translatedChatFields } from "../wire/translated-fields.js";
import type { WireFormatId } from "./provider-spec.js";

/** Each wire format's translation of a chat request; OpenAI's chat format takes the request as it is. */
export const chatTranslations: Readonly<Record<WireFormatId, ChatTranslation | undefined>> = {
  "openai-chat": undefined,
  "anthropic-messages": anthropicTranslation,
  "google-gemini": geminiTranslation,
  "bedrock-converse": converseTranslation,
  "cohere-chat": cohereTranslation,
  "replicate-predictions": replicateTranslation,
};

/** The chat parameters of the table: those some translation acts on, and OpenAI's own that none does. */
export const tabledChatParams: readonly string[] = [
  ...translatedChatFields.filter((field) => field !== "model" && field !== "messages"),
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "reasoning_effort",
  "verbosity",
  "modalities",
  "audio",
  "prediction",
  "service_tier",
  "web_search_options",
];

/** What a wire format does with one chat parameter: passed as it is, translated (with a limit), or a 400. */
export function paramCell(format: WireFormatId, field: string): string {
  const translation = chatTranslations[format];
  if (!translation) return "passed";
  if (!translation.acts.has(field)) return "400";
  if (field === "user" && !translation.sendsUser) return "accepted, not sent";
  const limit = translation.limits?.[field];
  return limit ? `translated (${limit}; else 400)` : "translated";
}

/**
 * The README's table of every chat parameter × every wire format, made from the codecs' own lists (a test
 * compares the README with it, and another sends each parameter to each format).
 */
export function paramTable(): string {
  const formats = Object.keys(chatTranslations) as WireFormatId[];
  return [
    `| parameter | ${formats.join(" | ")} |`,
    `|---|${formats.map(() => "---").join("|")}|`,
    ...tabledChatParams.map(
      (field) => `| \`${field}\` | ${formats.map((format) => paramCell(format, field)).join(" | ")} |`,
    ),
  ].join("\n");
}
