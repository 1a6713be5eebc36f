import { InvalidRequestError } from "../../errors/errors.js";
import { objectItems } from "../json-items.js";
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage, OpenAIToolCall } from "../openai-types.js";

type Json = Record<string, unknown>;

const textOfBlocks = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((block) => (block?.type === "text" ? String(block.text ?? "") : "")).join("")
      : "";

function imagePart(block: Json): OpenAIContentPart {
  const source = (block.source ?? {}) as Json;
  const url =
    source.type === "base64"
      ? `data:${String(source.media_type)};base64,${String(source.data)}`
      : String(source.url);
  return { type: "image_url", image_url: { url } } as OpenAIContentPart;
}

/** One Anthropic message as OpenAI messages: tool results become `tool` messages, tool uses `tool_calls`. */
function toChatMessages(message: Json, index: number): OpenAIMessage[] {
  const role = message.role;
  if (role !== "user" && role !== "assistant")
    throw new InvalidRequestError(`messages.${index}.role must be "user" or "assistant"`, {
      field: `messages.${index}.role`,
    });
  const content = message.content;
  if (typeof content === "string") return [{ role, content } as OpenAIMessage];
  if (!Array.isArray(content))
    throw new InvalidRequestError(`messages.${index}.content must be a string or an array of blocks`, {
      field: `messages.${index}.content`,
    });
  const out: OpenAIMessage[] = [];
  const parts: OpenAIContentPart[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  for (const [blockIndex, block] of (content as Json[]).entries()) {
    const type = block?.type;
    if (type === "text") parts.push({ type: "text", text: String(block.text ?? "") } as OpenAIContentPart);
    else if (type === "image") parts.push(imagePart(block));
    else if (type === "tool_use")
      toolCalls.push({
        id: String(block.id),
        type: "function",
        function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
      });
    else if (type === "tool_result")
      out.push({
        role: "tool",
        tool_call_id: String(block.tool_use_id),
        content: textOfBlocks(block.content),
      } as OpenAIMessage);
    else if (type === "thinking" || type === "redacted_thinking")
      continue; // not carried across providers
    else
      throw new InvalidRequestError(
        `messages.${index}.content.${blockIndex}: block type "${String(type)}" is not supported`,
        {
          field: `messages.${index}.content.${blockIndex}.type`,
        },
      );
  }
  if (parts.length > 0 || toolCalls.length > 0) {
    const onlyText = parts.every((part) => part.type === "text");
    const text = onlyText ? parts.map((part) => (part as { text: string }).text).join("") : parts;
    const chat = {
      role,
      content: role === "assistant" && toolCalls.length > 0 && text === "" ? null : text,
    } as OpenAIMessage;
    if (toolCalls.length > 0) chat.tool_calls = toolCalls;
    // Tool results answer the previous assistant turn: they come before the user's own words.
    out.push(chat);
  }
  return out;
}

/** Messages request fields with no chat completions equivalent. */
export const anthropicOnlyFields = [
  "top_k",
  "thinking",
  "service_tier",
  "container",
  "mcp_servers",
  "context_management",
];

/**
 * An Anthropic Messages request (`POST /v1/messages`) as the gateway's canonical OpenAI chat request: `system`,
 * text/image/tool_use/tool_result blocks, tools and `tool_choice`, `max_tokens`, `stop_sequences`, sampling,
 * `stream`. Respan's parameters beside them pass through untouched.
 */
export function messagesToChat(body: unknown): OpenAIChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidRequestError("The request body must be a JSON object.");
  const { model, system, messages, max_tokens, stop_sequences, tools, tool_choice, metadata, ...all } =
    body as Json;
  // Anthropic-only settings have no chat equivalent: they go upstream only when the call is passed through.
  const rest: Json = {};
  for (const [key, value] of Object.entries(all)) if (!anthropicOnlyFields.includes(key)) rest[key] = value;
  if (typeof model !== "string" || model === "")
    throw new InvalidRequestError("model is required and must be a string", { field: "model" });
  if (!Array.isArray(messages) || messages.length === 0)
    throw new InvalidRequestError("messages must be a non-empty array", { field: "messages" });
  if (typeof max_tokens !== "number")
    throw new InvalidRequestError("max_tokens is required and must be a number", { field: "max_tokens" });
  const chat: Json = { ...rest, model, max_tokens };
  // The Messages stream ends with usage: ask for it on the canonical stream too.
  if (rest.stream === true) chat.stream_options = { include_usage: true };
  const converted: OpenAIMessage[] = [];
  const systemText = textOfBlocks(system);
  if (systemText) converted.push({ role: "system", content: systemText } as OpenAIMessage);
  objectItems(messages, "messages").forEach((message, index) => {
    converted.push(...toChatMessages(message, index));
  });
  chat.messages = converted;
  if (Array.isArray(stop_sequences) && stop_sequences.length > 0) chat.stop = stop_sequences;
  if (Array.isArray(tools) && tools.length > 0)
    chat.tools = objectItems(tools, "tools").map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input_schema ?? { type: "object", properties: {} },
      },
    }));
  const choice = tool_choice as Json | undefined;
  if (choice?.type === "auto") chat.tool_choice = "auto";
  else if (choice?.type === "any") chat.tool_choice = "required";
  else if (choice?.type === "none") chat.tool_choice = "none";
  else if (choice?.type === "tool") chat.tool_choice = { type: "function", function: { name: choice.name } };
  if (choice?.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
  const user = (metadata as Json | undefined)?.user_id;
  if (typeof user === "string") chat.user = user;
  return chat as unknown as OpenAIChatRequest;
}
