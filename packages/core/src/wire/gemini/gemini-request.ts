import { InvalidRequestError } from "../../errors/errors.js";
import { contentPartsFor, dataUrlOf, parseToolArguments, textOf } from "../chat-content.js";
import type { OpenAIChatRequest, OpenAIMessage, OpenAIToolCall } from "../openai-types.js";
import { actsOn, type ChatTranslation, refuseUntranslated } from "../translated-fields.js";

type Json = Record<string, unknown>;
interface Content {
  role: "user" | "model";
  parts: Json[];
}

/** What the Gemini translation acts on; any other field (not Keyway's own) is refused, not dropped. */
export const geminiTranslation: ChatTranslation = {
  api: "Gemini",
  acts: actsOn([]),
  limits: { parallel_tool_calls: "true only" },
  sendsUser: false,
};

function imagePart(url: string): Json {
  const data = dataUrlOf(url);
  if (data) return { inlineData: { mimeType: data.mime, data: data.data } };
  return { fileData: { fileUri: url } };
}

const contentParts = (content: OpenAIMessage["content"], field: string): Json[] =>
  contentPartsFor<Json>(content, field, "Gemini", { text: (text) => ({ text }), image: imagePart });

/**
 * An assistant turn's text and tool calls as Gemini parts (`functionCall` with the call's id); `argsOf` reads a
 * call's arguments (strictly in a request, leniently in a model's answer).
 */
export function assistantParts(
  text: string,
  calls: readonly OpenAIToolCall[],
  argsOf: (call: OpenAIToolCall, index: number) => unknown,
): Json[] {
  return [
    ...(text ? [{ text }] : []),
    ...calls.map((call, index) => ({
      functionCall: { id: call.id, name: call.function.name, args: argsOf(call, index) },
    })),
  ];
}

/** A tool result as Gemini wants it: an object (`{result: text}` when the text is not a JSON object). */
function toolResponse(text: string): Json {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
  } catch {}
  return { result: text };
}

function contentsOf(request: OpenAIChatRequest): { contents: Content[]; system: string[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  const callNames = new Map<string, string>();
  const push = (role: Content["role"], parts: Json[]) => {
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  request.messages.forEach((message, index) => {
    const field = `messages.${index}`;
    switch (message.role) {
      case "system":
      case "developer":
        system.push(textOf(message.content));
        break;
      case "user":
        push("user", contentParts(message.content, `${field}.content`));
        break;
      case "assistant":
        for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);
        push(
          "model",
          assistantParts(textOf(message.content), message.tool_calls ?? [], (call, i) =>
            parseToolArguments(call.function.arguments, `${field}.tool_calls.${i}.function.arguments`),
          ),
        );
        break;
      case "tool": {
        const name = callNames.get(message.tool_call_id ?? "");
        if (!name)
          throw new InvalidRequestError(
            `${field}.tool_call_id does not answer a tool call of an earlier assistant message`,
            { field: `${field}.tool_call_id` },
          );
        push("user", [
          {
            functionResponse: {
              id: message.tool_call_id,
              name,
              response: toolResponse(textOf(message.content)),
            },
          },
        ]);
        break;
      }
      default:
        throw new InvalidRequestError(`${field}.role "${message.role}" is not supported`, {
          field: `${field}.role`,
        });
    }
  });
  return { contents, system };
}

function generationConfigOf(request: OpenAIChatRequest): Json {
  const config: Json = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) config[key] = value;
  };
  set("maxOutputTokens", request.max_completion_tokens ?? request.max_tokens);
  set("temperature", request.temperature);
  set("topP", request.top_p);
  if (request.stop) set("stopSequences", Array.isArray(request.stop) ? request.stop : [request.stop]);
  set("candidateCount", request.n);
  set("seed", request.seed);
  set("presencePenalty", request.presence_penalty);
  set("frequencyPenalty", request.frequency_penalty);
  const format = request.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    if (format.json_schema?.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  return config;
}

function toolConfigOf(choice: OpenAIChatRequest["tool_choice"]): Json | undefined {
  if (choice === undefined) return undefined;
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
}

/**
 * OpenAI chat request → Gemini `generateContent` body: system messages as `systemInstruction`, turns as
 * `contents` (assistant → `model`, tool results → `functionResponse` parts), sampling and structured output in
 * `generationConfig`, tools as `functionDeclarations` (JSON schema kept as it is), `tool_choice` as
 * `toolConfig`. A chat setting Gemini cannot act on is a 400 naming it; `ignore` lists Keyway's own fields.
 */
export function toGeminiRequest(request: OpenAIChatRequest, ignore: ReadonlySet<string>): Json {
  refuseUntranslated(request, geminiTranslation, ignore);
  const { contents, system } = contentsOf(request);
  const body: Json = { contents };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join("\n\n") }] };
  const config = generationConfigOf(request);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (request.tools && request.tools.length > 0)
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          ...(tool.function.parameters ? { parametersJsonSchema: tool.function.parameters } : {}),
        })),
      },
    ];
  const toolConfig = toolConfigOf(request.tool_choice);
  if (toolConfig) body.toolConfig = toolConfig;
  return body;
}
