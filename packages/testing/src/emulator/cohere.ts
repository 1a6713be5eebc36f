import { textOf } from "./openai-chat.js";
import { embed } from "./openai-embeddings.js";
import { countTokens, splitIntoPieces } from "./tokens.js";
import type { ReplyInput, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

/** The body fields Cohere's v2 Chat takes; any other is refused, as Cohere refuses it. */
const chatFields = new Set([
  "model",
  "messages",
  "tools",
  "strict_tools",
  "documents",
  "citation_options",
  "response_format",
  "safety_mode",
  "max_tokens",
  "stop_sequences",
  "temperature",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "k",
  "p",
  "logprobs",
  "tool_choice",
  "stream",
  "thinking",
  "priority",
]);

/** Reads a v2 Chat body (`POST /v2/chat`); answers Cohere's error message for a body it would refuse. */
export function parseCohereChat(body: unknown): ReplyInput | string {
  if (typeof body !== "object" || body === null) return "invalid request: body must be a JSON object";
  const b = body as Json;
  const unknown = Object.keys(b).find((key) => !chatFields.has(key));
  if (unknown) return `invalid request: unknown field: parameter ${unknown} is not a valid field`;
  if (typeof b.model !== "string" || !b.model) return "invalid request: model must be specified";
  if (!Array.isArray(b.messages) || b.messages.length === 0)
    return "invalid request: messages must contain at least one message";
  const messages = b.messages as Json[];
  const roles = ["system", "user", "assistant", "tool"];
  const badRole = messages.find((message) => !roles.includes(String(message?.role)));
  if (badRole) return `invalid request: role '${String(badRole.role)}' is not valid`;
  const toolTurn = messages.find(
    (message) => message.role === "tool" && typeof message.tool_call_id !== "string",
  );
  if (toolTurn) return "invalid request: tool messages must have a tool_call_id";
  if (b.tool_choice !== undefined && b.tool_choice !== "REQUIRED" && b.tool_choice !== "NONE")
    return "invalid request: tool_choice must be one of REQUIRED, NONE";
  let images = 0;
  const texts = messages.map((message) => {
    const read = textOf(message.content);
    images += read.images;
    return read.text;
  });
  const last = messages[messages.length - 1] as Json;
  const afterToolResult = last.role === "tool";
  const lastUser = afterToolResult
    ? last
    : [...messages].reverse().find((message) => message.role === "user");
  const tools = Array.isArray(b.tools)
    ? (b.tools as Json[]).map((tool) => {
        const fn = (tool.function ?? {}) as Json;
        return { name: String(fn.name), parameters: fn.parameters };
      })
    : [];
  const format = b.response_format as Json | undefined;
  return {
    model: b.model,
    lastText: textOf(lastUser?.content).text,
    afterToolResult,
    promptText: texts.join(" "),
    messageCount: messages.length,
    imageCount: images,
    tools,
    toolChoice: b.tool_choice === "REQUIRED" ? "required" : b.tool_choice === "NONE" ? "none" : "auto",
    ...(typeof b.max_tokens === "number" ? { maxTokens: b.max_tokens } : {}),
    jsonOutput: format?.type === "json_object" ? (format.json_schema ?? "json_object") : undefined,
    cacheHint: false,
  };
}

const finishOf = (plan: ReplyPlan) =>
  plan.finish === "tool_calls" ? "TOOL_CALL" : plan.finish === "length" ? "MAX_TOKENS" : "COMPLETE";

/** Billed units are what Cohere charges; `tokens` adds the prompt it wraps around the messages. */
const usageOf = (plan: ReplyPlan) => ({
  billed_units: { input_tokens: plan.promptTokens, output_tokens: plan.completionTokens },
  tokens: { input_tokens: plan.promptTokens + 7, output_tokens: plan.completionTokens },
});

const toolCallsOf = (plan: ReplyPlan) =>
  plan.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));

export function cohereChatResponse(plan: ReplyPlan, id: string): Json {
  const calls = toolCallsOf(plan);
  return {
    id,
    finish_reason: finishOf(plan),
    message: {
      role: "assistant",
      ...(calls.length > 0
        ? { tool_plan: "I will call the tool.", tool_calls: calls }
        : { content: [{ type: "text", text: plan.text }] }),
    },
    usage: usageOf(plan),
  };
}

/** v2 Chat's stream: typed events, each named by `event:` and by `type` in its data, `[DONE]` last. */
export function cohereChatStreamEvents(plan: ReplyPlan, id: string): string[] {
  const event = (data: Json) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
  const events = [
    event({
      type: "message-start",
      id,
      delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } },
    }),
  ];
  if (plan.toolCalls.length > 0) {
    events.push(
      event({ type: "tool-plan-delta", delta: { message: { tool_plan: "I will call the tool." } } }),
    );
    plan.toolCalls.forEach((call, index) => {
      const start = { id: call.id, type: "function", function: { name: call.name, arguments: "" } };
      events.push(event({ type: "tool-call-start", index, delta: { message: { tool_calls: start } } }));
      const half = Math.ceil(call.arguments.length / 2);
      for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)])
        if (part)
          events.push(
            event({
              type: "tool-call-delta",
              index,
              delta: { message: { tool_calls: { function: { arguments: part } } } },
            }),
          );
      events.push(event({ type: "tool-call-end", index }));
    });
  } else {
    events.push(
      event({ type: "content-start", index: 0, delta: { message: { content: { type: "text", text: "" } } } }),
    );
    for (const piece of splitIntoPieces(plan.text))
      events.push(
        event({ type: "content-delta", index: 0, delta: { message: { content: { text: piece } } } }),
      );
    events.push(event({ type: "content-end", index: 0 }));
  }
  events.push(
    event({ type: "message-end", id, delta: { finish_reason: finishOf(plan), usage: usageOf(plan) } }),
  );
  events.push("data: [DONE]\n\n");
  return events;
}

/** v2 Embed (`POST /v2/embed`): embed-v3 and later need `input_type`, and v2 needs `embedding_types`. */
export function cohereEmbed(body: unknown): Json | string {
  const b = (body ?? {}) as Json;
  if (typeof b.model !== "string") return "invalid request: model must be specified";
  if (!Array.isArray(b.texts) || !b.texts.every((text) => typeof text === "string"))
    return "invalid request: texts must be an array of strings";
  if (typeof b.input_type !== "string")
    return "invalid request: valid input_type must be provided with the provided model";
  const types = b.embedding_types;
  if (!Array.isArray(types) || types.length === 0) return "invalid request: embedding_types is required";
  const size = typeof b.output_dimension === "number" ? b.output_dimension : 8;
  const vectors = (b.texts as string[]).map((text) => embed(text, size));
  const embeddings: Json = {};
  for (const type of types) {
    if (type === "float") embeddings.float = vectors;
    else if (type === "base64")
      embeddings.base64 = vectors.map((vector) =>
        Buffer.from(new Float32Array(vector).buffer).toString("base64"),
      );
    else return `invalid request: embedding type ${String(type)} is not supported by the emulator`;
  }
  const tokens = (b.texts as string[]).reduce((sum, text) => sum + countTokens(text), 0);
  return {
    id: "embed_emu",
    embeddings,
    texts: b.texts,
    meta: { api_version: { version: "2" }, billed_units: { input_tokens: tokens } },
    response_type: "embeddings_by_type",
  };
}

/** Cohere's error body. */
export const cohereError = (_status: number, message: string) => ({ message });
