import { splitIntoPieces } from "./tokens.js";
import type { ReplyInput, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

interface BlockSummary {
  text: string;
  images: number;
  toolResult: string | undefined;
  cache: boolean;
}

function summarize(content: unknown): BlockSummary {
  if (typeof content === "string") return { text: content, images: 0, toolResult: undefined, cache: false };
  const summary: BlockSummary = { text: "", images: 0, toolResult: undefined, cache: false };
  if (!Array.isArray(content)) return summary;
  const texts: string[] = [];
  for (const block of content as Json[]) {
    if (block?.cache_control) summary.cache = true;
    if (block?.type === "text" && typeof block.text === "string") texts.push(block.text);
    if (block?.type === "image") summary.images++;
    if (block?.type === "tool_result") {
      const inner = summarize(block.content);
      summary.toolResult = inner.text;
      texts.push(inner.text);
    }
  }
  summary.text = texts.join(" ");
  return summary;
}

/** Reads an Anthropic Messages body; answers an error message for a body Anthropic would refuse. */
export function parseAnthropicMessages(body: unknown): ReplyInput | string {
  if (typeof body !== "object" || body === null) return "The request body must be a JSON object.";
  const b = body as Json;
  if (typeof b.model !== "string" || b.model === "") return "model: Field required";
  if (typeof b.max_tokens !== "number") return "max_tokens: Field required";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "messages: Field required";
  const messages = b.messages as Json[];
  const system = summarize(b.system);
  const texts = [system.text];
  let imageCount = 0;
  let cache = system.cache;
  const summaries = messages.map((message) => summarize(message?.content));
  for (const summary of summaries) {
    texts.push(summary.text);
    imageCount += summary.images;
    cache ||= summary.cache;
  }
  const lastSummary = summaries[summaries.length - 1] as BlockSummary;
  const afterToolResult = lastSummary.toolResult !== undefined;
  const tools = Array.isArray(b.tools)
    ? (b.tools as Json[]).map((tool) => ({ name: String(tool.name), parameters: tool.input_schema }))
    : [];
  const choice = b.tool_choice as Json | undefined;
  let toolChoice: ReplyInput["toolChoice"] = "auto";
  if (choice?.type === "none") toolChoice = "none";
  if (choice?.type === "any") toolChoice = "required";
  if (choice?.type === "tool") toolChoice = { name: String(choice.name) };
  return {
    model: b.model,
    lastText: afterToolResult ? (lastSummary.toolResult ?? "") : lastSummary.text,
    afterToolResult,
    promptText: texts.join(" "),
    messageCount: messages.length + (system.text ? 1 : 0),
    imageCount,
    tools,
    toolChoice,
    maxTokens: b.max_tokens,
    jsonOutput: undefined,
    cacheHint: cache,
  };
}

const stopReasons = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" } as const;

function usageOf(plan: ReplyPlan) {
  return {
    input_tokens: plan.promptTokens - plan.cachedTokens,
    output_tokens: plan.completionTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: plan.cachedTokens,
  };
}

export function anthropicMessage(plan: ReplyPlan, model: string, id: string) {
  const content: Json[] = [];
  if (plan.text) content.push({ type: "text", text: plan.text });
  for (const call of plan.toolCalls) {
    content.push({ type: "tool_use", id: call.id, name: call.name, input: JSON.parse(call.arguments) });
  }
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReasons[plan.finish],
    stop_sequence: null,
    usage: usageOf(plan),
  };
}

const event = (name: string, data: Json) =>
  `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;

/** The real Messages stream event sequence for a reply. */
export function anthropicStreamEvents(plan: ReplyPlan, model: string, id: string): string[] {
  const usage = usageOf(plan);
  const events = [
    event("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  if (plan.text) {
    events.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
    events.push(event("ping", {}));
    for (const piece of splitIntoPieces(plan.text)) {
      events.push(event("content_block_delta", { index, delta: { type: "text_delta", text: piece } }));
    }
    events.push(event("content_block_stop", { index }));
    index++;
  }
  for (const call of plan.toolCalls) {
    events.push(
      event("content_block_start", {
        index,
        content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
      }),
    );
    const half = Math.ceil(call.arguments.length / 2);
    for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (part)
        events.push(
          event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } }),
        );
    }
    events.push(event("content_block_stop", { index }));
    index++;
  }
  events.push(
    event("message_delta", {
      delta: { stop_reason: stopReasons[plan.finish], stop_sequence: null },
      usage: { output_tokens: plan.completionTokens },
    }),
  );
  events.push(event("message_stop", {}));
  return events;
}

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

/** Anthropic's error body shape. */
export function anthropicError(status: number, message: string) {
  return { type: "error", error: { type: errorTypes[status] ?? "api_error", message } };
}
