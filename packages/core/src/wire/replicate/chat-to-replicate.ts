import { InvalidRequestError } from "../../errors/errors.js";
import { textOf } from "../chat-content.js";
import type { OpenAIChatRequest } from "../openai-types.js";
import { actsOn, type ChatTranslation, refuseUntranslated } from "../translated-fields.js";

type Json = Record<string, unknown>;

/** What a prediction's `input` has room for: a prompt, a system prompt and sampling; no tools, images or JSON mode. */
export const replicateTranslation: ChatTranslation = {
  api: "Replicate",
  acts: actsOn(["tools", "tool_choice", "parallel_tool_calls", "response_format"]),
  limits: { n: "1 only" },
  sendsUser: false,
};

const speakers: Record<string, string> = { user: "User", assistant: "Assistant" };

/**
 * The conversation as one prompt: a single user turn is the prompt itself; a longer one is a transcript
 * (`User: …` / `Assistant: …`, ending on the turn the model answers), since a prediction takes one prompt.
 */
function promptOf(request: OpenAIChatRequest): { prompt: string; system: string[] } {
  const system: string[] = [];
  const turns: { role: string; text: string }[] = [];
  request.messages.forEach((message, index) => {
    const field = `messages.${index}`;
    if (message.role === "system" || message.role === "developer") {
      system.push(textOf(message.content));
      return;
    }
    if (message.role === "tool" || message.tool_calls?.length)
      throw new InvalidRequestError(`${field}: Replicate's predictions have no tool calls`, { field });
    if (!speakers[message.role])
      throw new InvalidRequestError(`${field}.role "${message.role}" is not supported`, {
        field: `${field}.role`,
      });
    if (Array.isArray(message.content) && message.content.some((part) => part.type !== "text"))
      throw new InvalidRequestError(`${field}.content: Replicate chat models here take text only`, {
        field: `${field}.content`,
      });
    turns.push({ role: message.role, text: textOf(message.content) });
  });
  const only = turns.length === 1 ? turns[0] : undefined;
  if (only?.role === "user") return { prompt: only.text, system };
  const transcript = turns.map((turn) => `${speakers[turn.role]}: ${turn.text}`);
  return { prompt: `${transcript.join("\n\n")}\n\nAssistant:`, system };
}

/**
 * OpenAI chat request → a Replicate prediction body for a language model (`POST
 * /models/{owner}/{name}/predictions`): `{input: {prompt, system_prompt, max_tokens, temperature, top_p,
 * stop_sequences, seed, presence_penalty, frequency_penalty}}`, the input names Replicate's language models share.
 * Tools, images, structured output and n > 1 have no place in it: a 400 naming them.
 */
export function toReplicatePrediction(request: OpenAIChatRequest, ignore: ReadonlySet<string>): Json {
  refuseUntranslated(request, replicateTranslation, ignore);
  const { prompt, system } = promptOf(request);
  const input: Json = { prompt };
  if (system.length > 0) input.system_prompt = system.join("\n\n");
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) input[key] = value;
  };
  set("max_tokens", request.max_completion_tokens ?? request.max_tokens);
  set("temperature", request.temperature);
  set("top_p", request.top_p);
  if (request.stop)
    input.stop_sequences = (Array.isArray(request.stop) ? request.stop : [request.stop]).join(",");
  set("seed", request.seed);
  set("presence_penalty", request.presence_penalty);
  set("frequency_penalty", request.frequency_penalty);
  return { input, ...(request.stream ? { stream: true } : {}) };
}
