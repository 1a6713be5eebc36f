import { sampleFromSchema } from "./json-schema-sample.js";
import { countTokens, truncateTokens } from "./tokens.js";
import type { ReplyInput, ReplyPlan, ToolCallPlan } from "./types.js";

function shortHash(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return (hash >>> 0).toString(36);
}

function chooseTool(input: ReplyInput): ReplyInput["tools"][number] | undefined {
  if (input.tools.length === 0 || input.toolChoice === "none" || input.afterToolResult) return undefined;
  const choice = input.toolChoice;
  if (typeof choice === "object") return input.tools.find((tool) => tool.name === choice.name);
  if (choice === "required") return input.tools[0];
  return input.tools.find((tool) => input.lastText.includes(tool.name));
}

/**
 * The deterministic reply to a request:
 * - after a tool result: `Tool result: <result>`;
 * - with tools, `tool_choice` required/named, or a tool's name in the last user text: a call to that tool whose
 *   arguments are sampled from its schema with the user text as string values;
 * - with structured output: JSON sampled from the schema;
 * - otherwise `Echo: <last user text>` (plus how many images were seen).
 * Tokens are words; `max_tokens` truncates with finish `length`.
 */
export function planReply(input: ReplyInput, idPrefix: string): ReplyPlan {
  const promptTokens = countTokens(input.promptText) + input.messageCount;
  const cachedTokens = input.cacheHint ? Math.floor(promptTokens / 2) : 0;
  const tool = chooseTool(input);
  if (tool) {
    const args = JSON.stringify(sampleFromSchema(tool.parameters, input.lastText));
    const call: ToolCallPlan = {
      id: `${idPrefix}${shortHash(tool.name + input.lastText)}`,
      name: tool.name,
      arguments: args,
    };
    return {
      text: "",
      toolCalls: [call],
      finish: "tool_calls",
      promptTokens,
      completionTokens: countTokens(args) + 1,
      cachedTokens,
    };
  }
  let text: string;
  if (input.afterToolResult) text = `Tool result: ${input.lastText}`;
  else if (input.jsonOutput === "json_object") text = JSON.stringify({ echo: input.lastText });
  else if (input.jsonOutput !== undefined)
    text = JSON.stringify(sampleFromSchema(input.jsonOutput, input.lastText));
  else
    text = `Echo: ${input.lastText}${input.imageCount > 0 ? ` (saw ${input.imageCount} image${input.imageCount > 1 ? "s" : ""})` : ""}`;
  const full = countTokens(text);
  if (input.maxTokens !== undefined && input.jsonOutput === undefined && full > input.maxTokens) {
    const cut = truncateTokens(text, input.maxTokens);
    return {
      text: cut,
      toolCalls: [],
      finish: "length",
      promptTokens,
      completionTokens: countTokens(cut),
      cachedTokens,
    };
  }
  return { text, toolCalls: [], finish: "stop", promptTokens, completionTokens: full, cachedTokens };
}
