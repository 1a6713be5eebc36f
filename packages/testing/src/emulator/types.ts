export type WireFormat =
  | "openai-chat"
  | "anthropic-messages"
  | "openai-embeddings"
  | "openai-responses"
  | "google-gemini"
  | "bedrock-converse"
  | "bedrock-invoke"
  | "cohere-chat"
  | "cohere-embed"
  | "replicate-predictions";

/** What the emulator needs to know of a request, whichever wire format it came in. */
export interface ReplyInput {
  model: string;
  /** Text of the last user turn (or of the last tool result when `afterToolResult`). */
  lastText: string;
  afterToolResult: boolean;
  /** Every text in the prompt joined, for the token count. */
  promptText: string;
  messageCount: number;
  imageCount: number;
  tools: { name: string; parameters: unknown }[];
  toolChoice: "auto" | "none" | "required" | { name: string };
  maxTokens?: number;
  /** A JSON schema (structured output) or `"json_object"`. */
  jsonOutput?: unknown;
  /** Reports part of the prompt as read from cache (Anthropic `cache_control`, OpenAI `prompt_cache_key`). */
  cacheHint: boolean;
}

export interface ToolCallPlan {
  id: string;
  name: string;
  arguments: string;
}

/** The reply the emulator will give, before it is written in a wire format. */
export interface ReplyPlan {
  text: string;
  toolCalls: ToolCallPlan[];
  finish: "stop" | "length" | "tool_calls";
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** One request as the emulator saw it. */
export interface EmulatedRequest {
  seq: number;
  at: number;
  path: string;
  format: WireFormat | "models";
  /** The API key the request carried (Bearer, x-api-key, x-goog-api-key or `?key=`), or undefined. */
  apiKey: string | undefined;
  model: string | undefined;
  stream: boolean;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Status the emulator answered with (set once headers are sent). */
  status?: number;
  fault?: string;
  /** True when the client went away before the reply was complete. */
  clientClosed: boolean;
  completed: boolean;
}

/** A scripted fault: requests matching `match` get it, `times` times (default: every time). */
export interface FaultSpec {
  match?: { apiKey?: string; model?: string; format?: WireFormat };
  times?: number;
  /** Answer with this HTTP status and the provider's error body. */
  status?: number;
  /** Seconds, sent as `Retry-After` (with status 429 or 503). */
  retryAfter?: number;
  errorMessage?: string;
  /** Wait this long before sending headers. */
  headerDelayMs?: number;
  /** Wait this long between stream chunks. */
  chunkDelayMs?: number;
  /** Destroy the connection after this many stream chunks (0: after headers). */
  resetAfterChunks?: number;
  /** Answer 200 with a body that is not valid JSON (or a stream chunk that is not). */
  malformed?: boolean;
  /**
   * Send the headers and this many stream chunks, then nothing more while keeping the connection open (a JSON
   * reply stalls right after its headers, whatever the number).
   */
  stallAfterChunks?: number;
  /** Answer 200 with a body (or a first stream event) of about this many bytes, written 1 MiB at a time. */
  oversizeBytes?: number;
  /**
   * After this many stream events, send the API's own stream error event (`errorMessage` its message) and end:
   * chat's `data: {"error":…}`, Anthropic's `event: error`, Gemini's `data: {"error":…}`, and for Responses its
   * `error` event or, with `event: "response.failed"`, a failed response.
   */
  streamError?: { afterChunks: number; event?: "error" | "response.failed" };
  /** Report this many prompt and completion tokens in the usage (an upstream that miscounts: 1e300). */
  reportedTokens?: number;
  /** End a stream cleanly after this many events, before its terminal one. */
  endAfterChunks?: number;
  /** Answer a stream request 200 with a body that is not server-sent events: JSON, or an HTML page. */
  notSse?: "json" | "html";
}
