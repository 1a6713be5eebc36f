import { crc32 } from "node:zlib";
import { embed } from "./openai-embeddings.js";
import { countTokens } from "./tokens.js";
import type { ReplyInput, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

/** A Bedrock runtime path: `/model/{modelId}/converse`, `/converse-stream` or `/invoke`. */
export function bedrockRoute(
  path: string,
): { modelId: string; op: "converse" | "converse-stream" | "invoke" } | undefined {
  const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(path);
  if (!match) return undefined;
  return {
    modelId: decodeURIComponent(match[1] as string),
    op: match[2] as "converse" | "converse-stream" | "invoke",
  };
}

function blocksText(blocks: unknown): { text: string; images: number; toolResult?: string } {
  const texts: string[] = [];
  let images = 0;
  let toolResult: string | undefined;
  for (const block of Array.isArray(blocks) ? (blocks as Json[]) : []) {
    if (typeof block.text === "string") texts.push(block.text);
    if (block.image) images++;
    const result = block.toolResult as Json | undefined;
    if (result)
      toolResult = ((result.content as Json[] | undefined) ?? [])
        .map((part) => (typeof part.text === "string" ? part.text : JSON.stringify(part.json ?? "")))
        .join("");
  }
  return { text: texts.join(" "), images, ...(toolResult !== undefined ? { toolResult } : {}) };
}

/** Reads a Converse body as Bedrock validates it; an error message (a ValidationException) for one it refuses. */
export function parseConverse(body: unknown, modelId: string): ReplyInput | string {
  const b = (body ?? {}) as Json;
  if (b.model !== undefined) return "Malformed input request: extraneous key [model] is not permitted";
  const messages = b.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "The messages field is required.";
  for (const [index, message] of (messages as Json[]).entries()) {
    if (message?.role !== "user" && message?.role !== "assistant")
      return `messages.${index}.role must be user or assistant`;
    if (index === 0 && message.role !== "user")
      return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
    if (index > 0 && (messages as Json[])[index - 1]?.role === message.role)
      return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
    if (!Array.isArray(message.content) || message.content.length === 0)
      return `messages.${index}.content must not be empty`;
  }
  const summaries = (messages as Json[]).map((message) => blocksText(message.content));
  const system = blocksText(b.system);
  const last = summaries[summaries.length - 1] as ReturnType<typeof blocksText>;
  const config = (b.inferenceConfig ?? {}) as Json;
  const toolConfig = (b.toolConfig ?? {}) as Json;
  const tools = ((toolConfig.tools as Json[] | undefined) ?? []).map((tool) => {
    const spec = (tool.toolSpec ?? {}) as Json;
    return { name: String(spec.name), parameters: (spec.inputSchema as Json | undefined)?.json };
  });
  const choice = (toolConfig.toolChoice ?? {}) as Json;
  const toolChoice: ReplyInput["toolChoice"] = choice.any
    ? "required"
    : choice.tool
      ? { name: String((choice.tool as Json).name) }
      : "auto";
  return {
    model: modelId,
    lastText: last.toolResult ?? last.text,
    afterToolResult: last.toolResult !== undefined,
    promptText: [system.text, ...summaries.map((summary) => summary.text)].join(" "),
    messageCount: messages.length + (system.text ? 1 : 0),
    imageCount: summaries.reduce((sum, summary) => sum + summary.images, 0),
    tools,
    toolChoice,
    ...(typeof config.maxTokens === "number" ? { maxTokens: config.maxTokens } : {}),
    jsonOutput: undefined,
    cacheHint: false,
  };
}

const stopReasons = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" } as const;
const usageOf = (plan: ReplyPlan) => ({
  inputTokens: plan.promptTokens,
  outputTokens: plan.completionTokens,
  totalTokens: plan.promptTokens + plan.completionTokens,
});

/** Converse's answer. */
export function converseResponse(plan: ReplyPlan): Json {
  const content: Json[] = [];
  if (plan.text) content.push({ text: plan.text });
  for (const call of plan.toolCalls)
    content.push({ toolUse: { toolUseId: call.id, name: call.name, input: JSON.parse(call.arguments) } });
  return {
    output: { message: { role: "assistant", content } },
    stopReason: stopReasons[plan.finish],
    usage: usageOf(plan),
    metrics: { latencyMs: 1 },
  };
}

/** One AWS event-stream message, framed by hand from the spec: prelude, its CRC, string headers, payload, CRC. */
export function eventStreamMessage(headers: Record<string, string>, payload: Json): Buffer {
  const head = Buffer.concat(
    Object.entries(headers).map(([name, value]) => {
      const n = Buffer.from(name);
      const v = Buffer.from(value);
      const out = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      out.writeUInt8(n.length, 0);
      n.copy(out, 1);
      out.writeUInt8(7, 1 + n.length); // 7: a string value
      out.writeUInt16BE(v.length, 2 + n.length);
      v.copy(out, 4 + n.length);
      return out;
    }),
  );
  const body = Buffer.from(JSON.stringify(payload));
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(12 + head.length + body.length + 4, 0);
  prelude.writeUInt32BE(head.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const message = Buffer.concat([prelude, head, body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(message), 0);
  return Buffer.concat([message, crc]);
}

const event = (type: string, payload: Json) =>
  eventStreamMessage(
    { ":event-type": type, ":content-type": "application/json", ":message-type": "event" },
    payload,
  );

/** ConverseStream's events for a reply: text in several deltas, each tool call as its own block. */
export function converseStreamEvents(plan: ReplyPlan): Buffer[] {
  const out = [event("messageStart", { role: "assistant" })];
  let index = 0;
  if (plan.text) {
    for (const piece of plan.text.match(/\S+\s*/g) ?? [plan.text])
      out.push(event("contentBlockDelta", { contentBlockIndex: index, delta: { text: piece } }));
    out.push(event("contentBlockStop", { contentBlockIndex: index++ }));
  }
  for (const call of plan.toolCalls) {
    out.push(
      event("contentBlockStart", {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: call.id, name: call.name } },
      }),
    );
    out.push(
      event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: call.arguments } } }),
    );
    out.push(event("contentBlockStop", { contentBlockIndex: index++ }));
  }
  out.push(event("messageStop", { stopReason: stopReasons[plan.finish] }));
  out.push(event("metadata", { usage: usageOf(plan), metrics: { latencyMs: 1 } }));
  return out;
}

/** InvokeModel for the embedding models: Titan's `{inputText}` and Cohere's `{texts, input_type}`. */
export function invokeEmbedding(modelId: string, body: unknown): Json | string {
  const b = (body ?? {}) as Json;
  if (modelId.startsWith("amazon.titan-embed")) {
    if (typeof b.inputText !== "string") return "Malformed input request: required key [inputText] not found";
    const dimensions = typeof b.dimensions === "number" ? b.dimensions : 8;
    return { embedding: embed(b.inputText, dimensions), inputTextTokenCount: countTokens(b.inputText) };
  }
  if (modelId.startsWith("cohere.embed")) {
    if (!Array.isArray(b.texts) || !b.texts.every((text) => typeof text === "string"))
      return "Malformed input request: required key [texts] not found";
    if (typeof b.input_type !== "string")
      return "Malformed input request: required key [input_type] not found";
    return {
      id: "emu",
      response_type: "embeddings_floats",
      texts: b.texts,
      embeddings: (b.texts as string[]).map((text) => embed(text)),
    };
  }
  return `The provided model identifier is invalid.`;
}
