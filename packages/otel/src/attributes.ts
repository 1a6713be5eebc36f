import type { ChatMessage } from "@keyway/core";
import type { Attributes } from "./span-like.js";

/** Reads typed values out of span attributes, trying names in order. */
export class AttributeReader {
  constructor(readonly attributes: Attributes) {}

  string(...names: string[]): string | undefined {
    for (const name of names) {
      const value = this.attributes[name];
      if (typeof value === "string" && value !== "") return value;
    }
    return undefined;
  }

  number(...names: string[]): number | undefined {
    for (const name of names) {
      const value = this.attributes[name];
      if (typeof value === "number" && Number.isFinite(value)) return value;
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
        return Number(value);
    }
    return undefined;
  }

  /** A JSON-string attribute, parsed; undefined when absent or unreadable. */
  json(...names: string[]): unknown {
    for (const name of names) {
      const value = this.attributes[name];
      if (typeof value !== "string") continue;
      try {
        return JSON.parse(value);
      } catch {}
    }
    return undefined;
  }

  first(name: string): string | undefined {
    const value = this.attributes[name];
    if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
    return typeof value === "string" ? value : undefined;
  }

  /** Every attribute under `prefix.` as an object keyed by the rest of the name. */
  prefixed(prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.attributes)) {
      if (name.startsWith(`${prefix}.`) && value !== undefined) out[name.slice(prefix.length + 1)] = value;
    }
    return out;
  }

  has(name: string): boolean {
    return this.attributes[name] !== undefined;
  }
}

/** Provider ids as the instrumentations write them (`openai.chat`, `myrouter.responses`) → `openai`. */
export const providerId = (value: string | undefined): string | undefined =>
  value?.split(".")[0]?.toLowerCase() || undefined;

/** OpenTelemetry GenAI message parts (`[{role, parts:[{type:'text', content}|{type:'tool_call',…}]}]`) → OpenAI messages. */
export function fromGenAIMessages(value: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((message: Record<string, unknown>) => {
    const parts = Array.isArray(message.parts) ? (message.parts as Record<string, unknown>[]) : [];
    const text = parts
      .filter((part) => part.type === "text")
      .map((part) => String(part.content ?? ""))
      .join("");
    const calls = parts
      .filter((part) => part.type === "tool_call")
      .map((part) => ({
        id: part.id,
        type: "function",
        function: {
          name: part.name,
          arguments:
            typeof part.arguments === "string" ? part.arguments : JSON.stringify(part.arguments ?? {}),
        },
      }));
    const response = parts.find((part) => part.type === "tool_call_response");
    if (response)
      return {
        role: "tool",
        tool_call_id: String(response.id ?? ""),
        content:
          typeof response.response === "string" ? response.response : JSON.stringify(response.response),
      };
    return {
      role: String(message.role ?? "user"),
      content: parts.length === 0 && typeof message.content === "string" ? message.content : text,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    };
  });
}

/** AI SDK prompt messages (`[{role, content: string | [{type:'text', text}|{type:'tool-call',…}]}]`) → OpenAI messages. */
export function fromAISDKMessages(value: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((message: Record<string, unknown>) => {
    const content = message.content;
    if (typeof content === "string") return { role: String(message.role), content };
    const parts = Array.isArray(content) ? (content as Record<string, unknown>[]) : [];
    const text = parts
      .filter((part) => part.type === "text")
      .map((part) => String(part.text ?? ""))
      .join("");
    const calls = parts
      .filter((part) => part.type === "tool-call")
      .map((part) => ({
        id: part.toolCallId,
        type: "function",
        function: {
          name: part.toolName,
          arguments:
            typeof part.input === "string" ? part.input : JSON.stringify(part.input ?? part.args ?? {}),
        },
      }));
    const result = parts.find((part) => part.type === "tool-result");
    if (message.role === "tool" && result)
      return {
        role: "tool",
        tool_call_id: String(result.toolCallId ?? ""),
        content: JSON.stringify(result.output ?? result.result ?? ""),
      };
    return { role: String(message.role), content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
  });
}
