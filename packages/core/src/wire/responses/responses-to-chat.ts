import { InvalidRequestError } from "../../errors/errors.js";
import { objectItems } from "../json-items.js";
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage } from "../openai-types.js";

type Json = Record<string, unknown>;

function contentOf(content: unknown, field: string): string | OpenAIContentPart[] {
  if (typeof content === "string") return content;
  if (!Array.isArray(content))
    throw new InvalidRequestError(`${field} must be a string or an array`, { field });
  const parts = (content as Json[]).map((part, index): OpenAIContentPart => {
    if (part?.type === "input_text" || part?.type === "output_text" || part?.type === "text")
      return { type: "text", text: String(part.text ?? "") } as OpenAIContentPart;
    if (part?.type === "input_image" && typeof part.image_url === "string")
      return { type: "image_url", image_url: { url: part.image_url } } as OpenAIContentPart;
    throw new InvalidRequestError(
      `${field}.${index}: content type "${String(part?.type)}" is not supported`,
      {
        field: `${field}.${index}.type`,
      },
    );
  });
  return parts.every((part) => part.type === "text")
    ? parts.map((part) => (part as { text: string }).text).join("")
    : parts;
}

/** The `input` items as chat messages; consecutive function calls become one assistant turn. */
function messagesOf(input: unknown): OpenAIMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input } as OpenAIMessage];
  if (!Array.isArray(input) || input.length === 0)
    throw new InvalidRequestError("input must be a string or a non-empty array of items", { field: "input" });
  const messages: OpenAIMessage[] = [];
  objectItems(input, "input").forEach((item, index) => {
    const field = `input.${index}`;
    const type = item?.type ?? "message";
    if (type === "message") {
      const role = item.role;
      if (role !== "user" && role !== "assistant" && role !== "system" && role !== "developer")
        throw new InvalidRequestError(`${field}.role is not a role the gateway knows`, {
          field: `${field}.role`,
        });
      messages.push({
        role: role === "developer" ? "system" : role,
        content: contentOf(item.content, `${field}.content`),
      } as OpenAIMessage);
    } else if (type === "function_call") {
      const call = {
        id: String(item.call_id),
        type: "function" as const,
        function: { name: String(item.name), arguments: String(item.arguments ?? "") },
      };
      const last = messages[messages.length - 1];
      if (last?.role === "assistant" && last.tool_calls) last.tool_calls.push(call);
      else messages.push({ role: "assistant", content: null, tool_calls: [call] } as OpenAIMessage);
    } else if (type === "function_call_output") {
      const output = typeof item.output === "string" ? item.output : JSON.stringify(item.output);
      messages.push({ role: "tool", tool_call_id: String(item.call_id), content: output } as OpenAIMessage);
    } else if (type === "reasoning") {
      // Reasoning items are a provider's own; they are not carried to another.
    } else {
      throw new InvalidRequestError(`${field}: item type "${String(type)}" is not supported`, {
        field: `${field}.type`,
      });
    }
  });
  return messages;
}

/** Responses request fields with no chat completions equivalent. */
export const responsesOnlyFields = ["include", "truncation", "store", "background", "conversation", "prompt"];

/**
 * An OpenAI Responses request (`POST /v1/responses`) as the gateway's canonical chat request: `instructions`,
 * `input` (a string, or message, function_call and function_call_output items), function tools and `tool_choice`,
 * `max_output_tokens`, `text.format`, sampling, `stream`. The gateway keeps no responses, so
 * `previous_response_id` is refused; send the whole conversation in `input`.
 */
export function responsesToChat(body: unknown): OpenAIChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidRequestError("The request body must be a JSON object.");
  const {
    model,
    input,
    instructions,
    tools,
    tool_choice,
    max_output_tokens,
    text,
    previous_response_id,
    reasoning,
    ...all
  } = body as Json;
  // Responses-only settings have no chat equivalent: they go upstream only when the call is passed through.
  const rest: Json = {};
  for (const [key, value] of Object.entries(all)) if (!responsesOnlyFields.includes(key)) rest[key] = value;
  if (typeof model !== "string" || model === "")
    throw new InvalidRequestError("model is required and must be a string", { field: "model" });
  if (previous_response_id !== undefined && previous_response_id !== null)
    throw new InvalidRequestError(
      "previous_response_id is not supported: the gateway keeps no responses. Send the whole conversation in input.",
      { field: "previous_response_id", code: "previous_response_not_stored" },
    );
  const messages = messagesOf(input);
  if (typeof instructions === "string" && instructions !== "")
    messages.unshift({ role: "system", content: instructions } as OpenAIMessage);
  const chat: Json = { ...rest, model, messages };
  if (typeof max_output_tokens === "number") chat.max_tokens = max_output_tokens;
  const effort = (reasoning as Json | undefined)?.effort;
  if (typeof effort === "string") chat.reasoning_effort = effort;
  if (rest.stream === true) chat.stream_options = { include_usage: true };
  if (Array.isArray(tools) && tools.length > 0) {
    chat.tools = objectItems(tools, "tools").map((tool, index) => {
      if (tool.type !== "function")
        throw new InvalidRequestError(`tools.${index}: only function tools can go through the gateway`, {
          field: `tools.${index}.type`,
        });
      return {
        type: "function",
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          parameters: tool.parameters ?? { type: "object", properties: {} },
          ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
        },
      };
    });
  }
  if (tool_choice === "auto" || tool_choice === "required" || tool_choice === "none")
    chat.tool_choice = tool_choice;
  else if ((tool_choice as Json | undefined)?.type === "function")
    chat.tool_choice = { type: "function", function: { name: (tool_choice as Json).name } };
  const format = (text as Json | undefined)?.format as Json | undefined;
  if (format?.type === "json_schema")
    chat.response_format = {
      type: "json_schema",
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(format.strict !== undefined ? { strict: format.strict } : {}),
      },
    };
  else if (format?.type === "json_object") chat.response_format = { type: "json_object" };
  return chat as unknown as OpenAIChatRequest;
}
