import { InvalidRequestError } from "../../errors/errors.js";
import { assistantMessage } from "../chat-content.js";
import { asksForSomething, objectItems } from "../json-items.js";
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage, OpenAITool } from "../openai-types.js";
import { modelTurnOf } from "./gemini-response.js";

type Json = Record<string, unknown>;

/** Request fields of Gemini's API with no chat completions equivalent (top level and in `generationConfig`). */
const geminiOnly = ["safetySettings", "cachedContent", "labels"];
const geminiOnlyConfig = [
  "topK",
  "thinkingConfig",
  "responseLogprobs",
  "logprobs",
  "speechConfig",
  "mediaResolution",
  "enableEnhancedCivicAnswers",
  "imageConfig",
];

/**
 * The first setting of a Gemini request that only Gemini can act on (`generationConfig.topK`, `safetySettings`,
 * a `googleSearch` tool, output other than text…), or undefined: such a request goes only to a Gemini model.
 */
export function geminiOnlySetting(body: Json): string | undefined {
  const top = geminiOnly.find((field) => asksForSomething(field, body[field]));
  if (top) return top;
  const config = (body.generationConfig ?? {}) as Json;
  const inConfig = geminiOnlyConfig.find((field) => asksForSomething(field, config[field]));
  if (inConfig) return `generationConfig.${inConfig}`;
  const modalities = config.responseModalities;
  if (Array.isArray(modalities) && modalities.some((m) => String(m).toUpperCase() !== "TEXT"))
    return "generationConfig.responseModalities";
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const builtIn = tools.flatMap((tool) =>
    Object.keys(tool ?? {}).filter((key) => key !== "functionDeclarations"),
  );
  if (builtIn[0]) return `tools.${builtIn[0]}`;
  const retrieval = (body.toolConfig as Json | undefined)?.retrievalConfig;
  return retrieval === undefined ? undefined : "toolConfig.retrievalConfig";
}

/** An OpenAPI schema as Gemini's clients write it (`type: "OBJECT"`, `nullable`) in JSON Schema terms. */
export function jsonSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(jsonSchemaOf);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (key === "propertyOrdering" || key === "nullable") continue;
    if (key === "type" && typeof value === "string") out.type = value.toLowerCase();
    else if (key === "properties" && typeof value === "object" && value !== null)
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([k, v]) => [k, jsonSchemaOf(v)]),
      );
    else if (key === "items" || key === "anyOf") out[key] = jsonSchemaOf(value);
    else out[key] = value;
  }
  if ((schema as Json).nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

function mediaPart(data: Json, field: string, inline: boolean): OpenAIContentPart {
  const mime = String(data.mimeType ?? "");
  if (inline && mime.startsWith("image/"))
    return { type: "image_url", image_url: { url: `data:${mime};base64,${String(data.data ?? "")}` } };
  if (!inline && (mime === "" || mime.startsWith("image/")))
    return { type: "image_url", image_url: { url: String(data.fileUri ?? "") } };
  throw new InvalidRequestError(
    `${field}: only images can be sent to models other than Gemini (got ${mime})`,
    {
      field,
    },
  );
}

/** Pairs calls and responses that carry no id (Gemini's API only sometimes ids them) by name, in order. */
class CallIds {
  #next = 0;
  #open = new Map<string, string[]>();
  fresh = (name: string): string => `call_${name}_${this.#next++}`;
  opened(name: string, id: string): void {
    this.#open.set(name, [...(this.#open.get(name) ?? []), id]);
  }
  answered(name: string, id: unknown): string {
    const open = this.#open.get(name) ?? [];
    const given = typeof id === "string" && id ? id : (open[0] ?? this.fresh(name));
    this.#open.set(
      name,
      open.filter((entry) => entry !== given),
    );
    return given;
  }
}

function userMessages(parts: Json[], field: string, ids: CallIds): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  const content: OpenAIContentPart[] = [];
  parts.forEach((part, index) => {
    const at = `${field}.parts.${index}`;
    if (typeof part?.text === "string") content.push({ type: "text", text: part.text });
    else if (part?.inlineData) content.push(mediaPart(part.inlineData as Json, at, true));
    else if (part?.fileData) content.push(mediaPart(part.fileData as Json, at, false));
    else if (part?.functionResponse) {
      const response = part.functionResponse as Json;
      const name = String(response.name ?? "");
      out.push({
        role: "tool",
        tool_call_id: ids.answered(name, response.id),
        content: JSON.stringify(response.response ?? {}),
      } as OpenAIMessage);
    } else throw new InvalidRequestError(`${at}: this kind of part is not supported`, { field: at });
  });
  if (content.length > 0) {
    const onlyText = content.every((part) => part.type === "text");
    out.push({
      role: "user",
      content: onlyText ? content.map((part) => (part as { text: string }).text).join("") : content,
    } as OpenAIMessage);
  }
  return out;
}

function messagesOf(contents: unknown, system: unknown): OpenAIMessage[] {
  if (!Array.isArray(contents) || contents.length === 0)
    throw new InvalidRequestError("contents must be a non-empty array", { field: "contents" });
  const messages: OpenAIMessage[] = [];
  const systemText = modelTurnOf((system as Json | undefined)?.parts, () => "").text;
  if (systemText) messages.push({ role: "system", content: systemText });
  const ids = new CallIds();
  objectItems(contents, "contents").forEach((turn, index) => {
    const field = `contents.${index}`;
    const parts = turn?.parts;
    if (!Array.isArray(parts))
      throw new InvalidRequestError(`${field}.parts must be an array`, { field: `${field}.parts` });
    const role = turn.role ?? "user";
    if (role === "user") messages.push(...userMessages(objectItems(parts, `${field}.parts`), field, ids));
    else if (role === "model") {
      const { text, toolCalls } = modelTurnOf(parts, ids.fresh);
      for (const call of toolCalls) ids.opened(call.function.name, call.id);
      messages.push(assistantMessage(text, toolCalls));
    } else
      throw new InvalidRequestError(`${field}.role must be "user" or "model"`, { field: `${field}.role` });
  });
  return messages;
}

function toolsOf(tools: unknown): OpenAITool[] {
  const declarations = (Array.isArray(tools) ? (tools as Json[]) : []).flatMap((tool) =>
    Array.isArray(tool?.functionDeclarations) ? (tool.functionDeclarations as Json[]) : [],
  );
  return declarations.map((declaration) => ({
    type: "function",
    function: {
      name: String(declaration.name),
      ...(typeof declaration.description === "string" ? { description: declaration.description } : {}),
      parameters: (declaration.parametersJsonSchema ??
        jsonSchemaOf(declaration.parameters) ?? { type: "object", properties: {} }) as Record<
        string,
        unknown
      >,
    },
  }));
}

function toolChoiceOf(toolConfig: unknown): OpenAIChatRequest["tool_choice"] | undefined {
  const config = (toolConfig as Json | undefined)?.functionCallingConfig as Json | undefined;
  const allowed = config?.allowedFunctionNames;
  switch (config?.mode) {
    case "NONE":
      return "none";
    case "ANY":
    case "VALIDATED":
      return Array.isArray(allowed) && allowed.length === 1
        ? { type: "function", function: { name: String(allowed[0]) } }
        : "required";
    case "AUTO":
      return "auto";
    default:
      return undefined;
  }
}

function samplingOf(config: Json): Json {
  const chat: Json = {};
  const map: [string, string][] = [
    ["temperature", "temperature"],
    ["topP", "top_p"],
    ["maxOutputTokens", "max_tokens"],
    ["candidateCount", "n"],
    ["seed", "seed"],
    ["presencePenalty", "presence_penalty"],
    ["frequencyPenalty", "frequency_penalty"],
  ];
  for (const [from, to] of map)
    if (config[from] !== undefined && config[from] !== null) chat[to] = config[from];
  if (Array.isArray(config.stopSequences) && config.stopSequences.length > 0)
    chat.stop = config.stopSequences;
  const schema = config.responseJsonSchema ?? jsonSchemaOf(config.responseSchema);
  if (config.responseMimeType === "application/json")
    chat.response_format = schema
      ? { type: "json_schema", json_schema: { name: "response", schema } }
      : { type: "json_object" };
  else if (schema)
    throw new InvalidRequestError("A response schema needs responseMimeType application/json", {
      field: "generationConfig.responseMimeType",
    });
  return chat;
}

/**
 * A Gemini `generateContent` request (the model and streaming come from its path) as the canonical chat request:
 * `systemInstruction`, `contents` (text, images, `functionCall`/`functionResponse` parts), `generationConfig`,
 * function tools and `toolConfig`. Gemini-only settings stay in the body for a Gemini model (pass-through) and are
 * refused for any other; Respan's parameters beside them pass through.
 */
export function geminiToChat(body: unknown, model: string, stream: boolean): OpenAIChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidRequestError("The request body must be a JSON object.");
  const { contents, systemInstruction, generationConfig, tools, toolConfig, ...all } = body as Json;
  const rest: Json = {};
  for (const [key, value] of Object.entries(all)) if (!geminiOnly.includes(key)) rest[key] = value;
  const chat: Json = {
    ...rest,
    ...samplingOf((generationConfig ?? {}) as Json),
    model,
    messages: messagesOf(contents, systemInstruction),
  };
  if (stream) {
    chat.stream = true;
    // The last Gemini event carries usageMetadata: ask for usage on the canonical stream too.
    chat.stream_options = { include_usage: true };
  }
  const declared = toolsOf(tools);
  if (declared.length > 0) chat.tools = declared;
  const choice = toolChoiceOf(toolConfig);
  if (choice !== undefined) chat.tool_choice = choice;
  return chat as unknown as OpenAIChatRequest;
}
