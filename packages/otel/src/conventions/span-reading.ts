import type { ChatMessage } from "@keyway/core";
import type { AttributeReader } from "../attributes.js";
import type { SpanLike } from "../span-like.js";

/** What a convention makes of one span: a model call (one request log) or a span of the trace around it. */
export interface SpanReading {
  kind: "request" | "span";
  /** For trace spans: `workflow`, `agent`, `tool`, `task`. */
  logType?: string;
  model?: string;
  provider?: string;
  messages?: ChatMessage[];
  completion?: ChatMessage;
  promptTokens?: number;
  completionTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** Seconds. */
  timeToFirstToken?: number;
  finishReason?: string;
  stream?: boolean;
  temperature?: number;
  maxTokens?: number;
  input?: unknown;
  output?: unknown;
}

/** One attribute convention: recognises its spans and reads them. */
export interface Convention {
  name: string;
  read(span: SpanLike, attributes: AttributeReader): SpanReading | undefined;
}
