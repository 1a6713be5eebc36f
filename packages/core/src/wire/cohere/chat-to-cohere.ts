import { InvalidRequestError } from "../../errors/errors.js";
import { contentPartsFor, textOf } from "../chat-content.js";
import type { OpenAIChatRequest, OpenAIMessage, OpenAITool } from "../openai-types.js";
import { actsOn, type ChatTranslation, refuseUntranslated } from "../translated-fields.js";

type Json = Record<string, unknown>;

/** What the Cohere translation acts on; any other field (not Keyway's own) is refused, not dropped. */
export const cohereTranslation: ChatTranslation = {
  api: "Cohere",
  acts: actsOn([]),
  limits: { n: "1 only", parallel_tool_calls: "true only" },
  sendsUser: false,
};

const contentOf = (content: OpenAIMessage["content"], field: string): string | Json[] => {
  const parts = contentPartsFor<Json>(content, field, "Cohere", {
    text: (text) => ({ type: "text", text }),
    image: (url) => ({ type: "image_url", image_url: { url } }),
  });
  // A text-only turn goes as a string, the form every Cohere model takes.
  return parts.every((part) => part.type === "text") ? parts.map((part) => part.text).join("") : parts;
};

function messageOf(message: OpenAIMessage, index: number): Json {
  const field = `messages.${index}`;
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOf(message.content) };
    case "user":
      return { role: "user", content: contentOf(message.content, `${field}.content`) };
    case "assistant": {
      const text = textOf(message.content);
      const calls = message.tool_calls ?? [];
      return {
        role: "assistant",
        ...(text ? { content: text } : {}),
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((call) => ({
                id: call.id,
                type: "function",
                function: { name: call.function.name, arguments: call.function.arguments || "{}" },
              })),
            }
          : {}),
      };
    }
    case "tool":
      return { role: "tool", tool_call_id: message.tool_call_id, content: textOf(message.content) };
    default:
      throw new InvalidRequestError(`${field}.role "${message.role}" is not supported`, {
        field: `${field}.role`,
      });
  }
}

const toolOf = (tool: OpenAITool): Json => ({
  type: "function",
  function: {
    name: tool.function.name,
    ...(tool.function.description ? { description: tool.function.description } : {}),
    parameters: tool.function.parameters ?? { type: "object", properties: {} },
  },
});

/**
 * Cohere has no named tool choice: a call held to one function sends only that tool and requires a call, which
 * is what the caller asked for.
 */
function toolsOf(request: OpenAIChatRequest, body: Json): void {
  const choice = request.tool_choice;
  const tools = request.tools ?? [];
  if (tools.length === 0) return;
  if (typeof choice === "object" && choice !== null) {
    const named = tools.filter((tool) => tool.function.name === choice.function.name);
    if (named.length === 0)
      throw new InvalidRequestError(`tool_choice names "${choice.function.name}", which is not in tools`, {
        field: "tool_choice",
      });
    body.tools = named.map(toolOf);
    body.tool_choice = "REQUIRED";
    return;
  }
  body.tools = tools.map(toolOf);
  if (choice === "required") body.tool_choice = "REQUIRED";
  if (choice === "none") body.tool_choice = "NONE";
}

function responseFormatOf(format: unknown): Json | undefined {
  const value = format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (!value || value.type === "text") return undefined;
  if (value.type === "json_object") return { type: "json_object" };
  if (value.type === "json_schema")
    return {
      type: "json_object",
      ...(value.json_schema?.schema ? { json_schema: value.json_schema.schema } : {}),
    };
  throw new InvalidRequestError(`response_format type "${String(value.type)}" cannot be sent to Cohere`, {
    field: "response_format.type",
  });
}

/**
 * OpenAI chat request → Cohere's v2 Chat body (`POST /v2/chat`): the messages keep their roles (developer →
 * system), tool calls and results are Cohere's own `tool_calls` / `tool` turns, `top_p` is `p`, `stop` is
 * `stop_sequences`, structured output is `response_format` json_object (with its schema), `tool_choice` is
 * REQUIRED / NONE. A setting Cohere has no place for is a 400 naming it; `ignore` lists Keyway's own fields.
 */
export function toCohereRequest(
  request: OpenAIChatRequest,
  model: string,
  ignore: ReadonlySet<string>,
): Json {
  refuseUntranslated(request, cohereTranslation, ignore);
  const body: Json = { model, messages: request.messages.map(messageOf) };
  if (request.stream) body.stream = true;
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) body[key] = value;
  };
  set("max_tokens", request.max_completion_tokens ?? request.max_tokens);
  set("temperature", request.temperature);
  set("p", request.top_p);
  if (request.stop) body.stop_sequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  set("seed", request.seed);
  set("presence_penalty", request.presence_penalty);
  set("frequency_penalty", request.frequency_penalty);
  set("response_format", responseFormatOf(request.response_format));
  toolsOf(request, body);
  return body;
}
