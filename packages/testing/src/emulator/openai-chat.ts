import { splitIntoPieces } from "./tokens.js";
import type { ReplyInput, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

/** A message content's text (its text parts joined by spaces) and how many images it holds. */
export function textOf(content: unknown): { text: string; images: number } {
  if (typeof content === "string") return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: "", images: 0 };
  let images = 0;
  const texts: string[] = [];
  for (const part of content as Json[]) {
    if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
    if (part?.type === "image_url") images++;
  }
  return { text: texts.join(" "), images };
}

/** Reads an OpenAI chat-completions body; answers an error message for a body OpenAI would refuse. */
export function parseOpenAIChat(body: unknown): ReplyInput | string {
  if (typeof body !== "object" || body === null) return "The request body must be a JSON object.";
  const b = body as Json;
  if (typeof b.model !== "string" || b.model === "") return "you must provide a model parameter";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "'messages' must be a non-empty array";
  const messages = b.messages as Json[];
  let imageCount = 0;
  const texts: string[] = [];
  for (const message of messages) {
    const { text, images } = textOf(message?.content);
    imageCount += images;
    texts.push(text);
  }
  const last = messages[messages.length - 1] as Json;
  const afterToolResult = last.role === "tool";
  const lastUser = afterToolResult ? last : [...messages].reverse().find((m) => m.role === "user");
  const tools = Array.isArray(b.tools)
    ? (b.tools as Json[]).map((tool) => {
        const fn = (tool.function ?? {}) as Json;
        return { name: String(fn.name), parameters: fn.parameters };
      })
    : [];
  const choice = b.tool_choice as unknown;
  let toolChoice: ReplyInput["toolChoice"] = "auto";
  if (choice === "none" || choice === "required") toolChoice = choice;
  else if (typeof choice === "object" && choice !== null) {
    toolChoice = { name: String(((choice as Json).function as Json | undefined)?.name) };
  }
  const format = b.response_format as Json | undefined;
  let jsonOutput: unknown;
  if (format?.type === "json_object") jsonOutput = "json_object";
  if (format?.type === "json_schema") jsonOutput = (format.json_schema as Json | undefined)?.schema ?? {};
  const maxTokens = (b.max_completion_tokens ?? b.max_tokens) as number | undefined;
  return {
    model: b.model,
    lastText: textOf(lastUser?.content).text,
    afterToolResult,
    promptText: texts.join(" "),
    messageCount: messages.length,
    imageCount,
    tools,
    toolChoice,
    ...(typeof maxTokens === "number" ? { maxTokens } : {}),
    jsonOutput,
    cacheHint: typeof b.prompt_cache_key === "string",
  };
}

function usageOf(plan: ReplyPlan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    prompt_tokens_details: { cached_tokens: plan.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
}

export function openAICompletion(plan: ReplyPlan, model: string, id: string, created: number) {
  const toolCalls = plan.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id,
    object: "chat.completion",
    created,
    model,
    system_fingerprint: "fp_emulator",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: plan.toolCalls.length > 0 ? null : plan.text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: plan.finish,
      },
    ],
    usage: usageOf(plan),
  };
}

/** The SSE events of a streamed completion, `data: [DONE]` last. */
export function openAIStreamEvents(
  plan: ReplyPlan,
  model: string,
  id: string,
  created: number,
  includeUsage: boolean,
): string[] {
  const base = { id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_emulator" };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: Json, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField })}\n\n`;
  const events = [
    chunk({ role: "assistant", content: plan.toolCalls.length > 0 ? null : "", refusal: null }),
  ];
  for (const piece of splitIntoPieces(plan.text)) events.push(chunk({ content: piece }));
  plan.toolCalls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
      }),
    );
    const half = Math.ceil(call.arguments.length / 2);
    for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (part) events.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
    }
  });
  events.push(chunk({}, plan.finish));
  if (includeUsage)
    events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: usageOf(plan) })}\n\n`);
  events.push("data: [DONE]\n\n");
  return events;
}

const errorTypes: Record<number, [string, string]> = {
  400: ["invalid_request_error", "invalid_request"],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["invalid_request_error", "permission_denied"],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
};

/** OpenAI's error body shape. */
export function openAIError(status: number, message: string) {
  const [type, code] = errorTypes[status] ?? ["server_error", "server_error"];
  return { error: { message, type, param: null, code } };
}
