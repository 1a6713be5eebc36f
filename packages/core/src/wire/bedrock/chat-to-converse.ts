import { InvalidRequestError } from "../../errors/errors.js";
import { contentPartsFor, dataUrlOf, parseToolArguments, textOf } from "../chat-content.js";
import type { OpenAIChatRequest, OpenAIMessage } from "../openai-types.js";
import { actsOn, type ChatTranslation, refuseUntranslated } from "../translated-fields.js";

type Block = Record<string, unknown>;
interface ConverseMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** What the Converse translation acts on; other fields are refused, not dropped. */
export const converseTranslation: ChatTranslation = {
  api: "Bedrock's Converse API",
  acts: actsOn(["seed", "presence_penalty", "frequency_penalty", "response_format"]),
  limits: { n: "1 only", parallel_tool_calls: "true only" },
  sendsUser: false,
};
const imageFormats: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

function imageBlock(url: string, field: string): Block {
  const data = dataUrlOf(url);
  const format = data ? imageFormats[data.mime] : undefined;
  if (!data || !format)
    throw new InvalidRequestError(
      `${field}: Bedrock takes images as base64 data URLs of PNG, JPEG, GIF or WebP`,
      { field },
    );
  return { image: { format, source: { bytes: data.data } } };
}

const contentBlocks = (content: OpenAIMessage["content"], field: string): Block[] =>
  contentPartsFor<Block>(content, field, "Bedrock", {
    text: (text) => ({ text }),
    image: (url) => imageBlock(url, field),
  });

/**
 * OpenAI chat request → Bedrock Converse request: system messages → `system`, turns merged so roles alternate
 * (Converse requires it), tool calls → `toolUse`, tool results → `toolResult` in a user turn, images as bytes,
 * `inferenceConfig` (maxTokens, temperature, topP, stopSequences), tools → `toolConfig`. The model is in the path.
 */
export function toConverseRequest(
  request: OpenAIChatRequest,
  ignore: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  refuseUntranslated(request, converseTranslation, ignore);
  const system: Block[] = [];
  const messages: ConverseMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  request.messages.forEach((message, index) => {
    const field = `messages.${index}.content`;
    if (message.role === "system" || message.role === "developer") {
      const text = textOf(message.content);
      if (text) system.push({ text });
    } else if (message.role === "user") push("user", contentBlocks(message.content, field));
    else if (message.role === "assistant") {
      const blocks = contentBlocks(message.content, field);
      for (const [callIndex, call] of (message.tool_calls ?? []).entries())
        blocks.push({
          toolUse: {
            toolUseId: call.id,
            name: call.function.name,
            input: parseToolArguments(
              call.function.arguments,
              `messages.${index}.tool_calls.${callIndex}.function.arguments`,
            ),
          },
        });
      push("assistant", blocks);
    } else if (message.role === "tool")
      push("user", [
        { toolResult: { toolUseId: message.tool_call_id, content: [{ text: textOf(message.content) }] } },
      ]);
    else
      throw new InvalidRequestError(`messages[${index}].role "${message.role}" is not supported`, {
        field: `messages.${index}.role`,
      });
  });
  const body: Record<string, unknown> = { messages };
  if (system.length > 0) body.system = system;
  const inference: Record<string, unknown> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === "number") inference.maxTokens = maxTokens;
  if (typeof request.temperature === "number") inference.temperature = request.temperature;
  if (typeof request.top_p === "number") inference.topP = request.top_p;
  if (request.stop) inference.stopSequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  const choice = request.tool_choice;
  if (request.tools && request.tools.length > 0 && choice !== "none") {
    const toolConfig: Record<string, unknown> = {
      tools: request.tools.map((tool) => ({
        toolSpec: {
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          inputSchema: { json: tool.function.parameters ?? { type: "object", properties: {} } },
        },
      })),
    };
    if (choice === "auto") toolConfig.toolChoice = { auto: {} };
    else if (choice === "required") toolConfig.toolChoice = { any: {} };
    else if (typeof choice === "object" && choice !== null)
      toolConfig.toolChoice = { tool: { name: choice.function.name } };
    body.toolConfig = toolConfig;
  }
  return body;
}
