import { InvalidRequestError } from "../errors/errors.js";
import type { OpenAIContentPart, OpenAIMessage, OpenAIToolCall } from "./openai-types.js";

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

/** A `data:` URL's media type and base64 payload, or undefined for any other URL. */
export function dataUrlOf(url: string): { mime: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mime: match[1] as string, data: match[2] as string } : undefined;
}

/**
 * A chat message's content as another API's parts: text and images through `to`; any other part is a 400
 * naming `api` and the part. Empty content is no parts.
 */
export function contentPartsFor<T>(
  content: OpenAIMessage["content"],
  field: string,
  api: string,
  to: { text: (text: string) => T; image: (url: string) => T },
): T[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [to.text(content)];
  return content.map((part: OpenAIContentPart, index) => {
    if (part.type === "text") return to.text((part as { text: string }).text);
    if (part.type === "image_url") return to.image((part as { image_url: { url: string } }).image_url.url);
    throw new InvalidRequestError(
      `${field}[${index}]: content part type "${part.type}" cannot be sent to ${api}`,
      { field: `${field}.${index}.type` },
    );
  });
}
