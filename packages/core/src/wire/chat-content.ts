import { InvalidRequestError } from "../errors/errors.js";
import type { OpenAIMessage, OpenAIToolCall } from "./openai-types.js";

/** A chat message's text: the string, or its text parts joined. */
export function textOf(content: OpenAIMessage["content"]): string {
  if (typeof content === "string") return content;
  return (content ?? [])
    .map((part) => (part.type === "text" ? (part as { text: string }).text : ""))
    .join("");
}

/** A tool call's arguments as the value other APIs send; not JSON is the caller's 400 naming `field`. */
export function parseToolArguments(text: string, field: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`${field} is not valid JSON`, { field });
  }
}

/** A model's tool-call arguments as a value for the caller: a model's answer is no caller's 400, so not JSON is `{}`. */
export function answerToolArguments(text: string): unknown {
  try {
    return text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

/** An assistant turn in chat terms: `content` is null when the turn only calls tools. */
export function assistantMessage(text: string, toolCalls: OpenAIToolCall[]): OpenAIMessage {
  return {
    role: "assistant",
    content: toolCalls.length > 0 && text === "" ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}
