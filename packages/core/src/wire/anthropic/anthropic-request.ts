import { InvalidRequestError } from "../../errors/errors.js";
import { contentPartsFor, dataUrlOf, parseToolArguments, textOf } from "../chat-content.js";
import type { OpenAIChatRequest, OpenAIMessage } from "../openai-types.js";
import { actsOn, type ChatTranslation, refuseUntranslated } from "../translated-fields.js";

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** `max_tokens` is required by Anthropic; used when the caller sets none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

function imageBlock(url: string): Block {
  const data = dataUrlOf(url);
  if (data) return { type: "image", source: { type: "base64", media_type: data.mime, data: data.data } };
  return { type: "image", source: { type: "url", url } };
}

const contentBlocks = (content: OpenAIMessage["content"], field: string): Block[] =>
  contentPartsFor<Block>(content, field, "Anthropic", {
    text: (text) => ({ type: "text", text }),
    image: imageBlock,
  });

/** What the Messages translation acts on (`user` as `metadata.user_id`); other fields are refused, not dropped. */
export const anthropicTranslation: ChatTranslation = {
  api: "Anthropic's Messages API",
  acts: actsOn(["seed", "presence_penalty", "frequency_penalty"]),
  limits: { n: "1 only", response_format: "text only" },
  sendsUser: true,
};

/** OpenAI chat request → Anthropic Messages request (system, content parts, images, tools, tool results, stops). */
export function toAnthropicRequest(
  request: OpenAIChatRequest,
  upstreamModel: string,
  ignore: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  // Settings Messages has no place for: refused, never dropped (a dropped json_schema answers prose to a parser).
  refuseUntranslated(request, anthropicTranslation, ignore);
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  request.messages.forEach((message, index) => {
    const field = `messages.${index}.content`;
    switch (message.role) {
      case "system":
      case "developer":
        system.push(textOf(message.content));
        break;
      case "user":
        push("user", contentBlocks(message.content, field));
        break;
      case "assistant": {
        const blocks = contentBlocks(message.content, field);
        for (const [callIndex, call] of (message.tool_calls ?? []).entries()) {
          blocks.push({
            type: "tool_use",
            id: call.id,
            name: call.function.name,
            input: parseToolArguments(
              call.function.arguments,
              `messages.${index}.tool_calls.${callIndex}.function.arguments`,
            ),
          });
        }
        push("assistant", blocks);
        break;
      }
      case "tool":
        push("user", [
          { type: "tool_result", tool_use_id: message.tool_call_id, content: textOf(message.content) },
        ]);
        break;
      default:
        throw new InvalidRequestError(`messages[${index}].role "${message.role}" is not supported`, {
          field: `messages.${index}.role`,
        });
    }
  });

  const body: Record<string, unknown> = {
    model: upstreamModel,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages,
  };
  if (system.length > 0) body.system = system.join("\n\n");
  if (request.temperature !== undefined && request.temperature !== null)
    body.temperature = request.temperature;
  if (request.top_p !== undefined && request.top_p !== null) body.top_p = request.top_p;
  if (request.stop) body.stop_sequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (request.stream) body.stream = true;
  if (request.user) body.metadata = { user_id: request.user };
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      input_schema: tool.function.parameters ?? { type: "object", properties: {} },
    }));
  }
  const choice = request.tool_choice;
  let toolChoice: Block | undefined;
  if (choice === "auto") toolChoice = { type: "auto" };
  else if (choice === "required") toolChoice = { type: "any" };
  else if (choice === "none") toolChoice = { type: "none" };
  else if (typeof choice === "object" && choice !== null)
    toolChoice = { type: "tool", name: choice.function.name };
  if (request.parallel_tool_calls === false && body.tools)
    toolChoice = { ...(toolChoice ?? { type: "auto" }), disable_parallel_tool_use: true };
  if (toolChoice && body.tools) body.tool_choice = toolChoice;
  return body;
}
