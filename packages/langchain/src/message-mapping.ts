import type { ChatMessage } from "@keyway/core";

type Json = Record<string, unknown>;

const roles: Record<string, string> = {
  system: "system",
  human: "user",
  user: "user",
  ai: "assistant",
  assistant: "assistant",
  tool: "tool",
  function: "function",
  developer: "developer",
};

/** The message's LangChain type, read by duck typing (no `instanceof`: apps can hold two copies of `@langchain/core`). */
export function messageType(message: unknown): string | undefined {
  const m = message as { _getType?: () => string; getType?: () => string; type?: unknown };
  if (typeof m?._getType === "function") return m._getType();
  if (typeof m?.getType === "function") return m.getType();
  return typeof m?.type === "string" ? m.type : undefined;
}

/** LangChain tool calls (`{id, name, args}`) in OpenAI's shape. */
export function toOpenAIToolCalls(toolCalls: unknown): ChatMessage["tool_calls"] | undefined {
  if (!Array.isArray(toolCalls) || toolCalls.length === 0) return undefined;
  return toolCalls.map((call: Json) => ({
    id: call.id,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.args === "string" ? call.args : JSON.stringify(call.args ?? {}),
    },
  }));
}

/** A LangChain message (class instance or serialized) as an OpenAI-style message: human → user, ai → assistant… */
export function toOpenAIMessage(message: unknown): ChatMessage {
  const m = message as Json & { kwargs?: Json };
  const fields = (m?.lc === 1 && m.kwargs ? m.kwargs : m) as Json;
  const type =
    messageType(message) ??
    (Array.isArray(m?.id)
      ? String((m.id as string[]).at(-1))
          .replace(/Message(Chunk)?$/, "")
          .toLowerCase()
      : undefined);
  const role =
    type === "generic" || type === "chat"
      ? String(fields.role ?? "user")
      : (roles[type ?? ""] ?? type ?? "user");
  const out: ChatMessage = { role, content: fields.content ?? "" };
  const toolCalls = toOpenAIToolCalls(fields.tool_calls);
  if (toolCalls) out.tool_calls = toolCalls;
  if (typeof fields.tool_call_id === "string") out.tool_call_id = fields.tool_call_id;
  if (typeof fields.name === "string" && fields.name) out.name = fields.name;
  return out;
}

/** Inputs and outputs as JSON: LangChain messages become OpenAI-style messages, documents their content. */
export function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  const v = value as Json;
  if (
    typeof v._getType === "function" ||
    (v.lc === 1 && Array.isArray(v.id) && String((v.id as string[]).at(-1)).endsWith("Message"))
  )
    return toOpenAIMessage(value);
  if (typeof v.pageContent === "string") return { pageContent: v.pageContent, metadata: v.metadata };
  if (typeof v.toJSON === "function" && v.lc_serializable) return plain((v.toJSON as () => unknown)());
  const out: Json = {};
  for (const [key, child] of Object.entries(v)) out[key] = plain(child);
  return out;
}
