import type { ChatMessage, RequestLog } from "@keyway/core";
import { cutString } from "./cut-text.js";

const PREVIEW_CHARS = 300;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === undefined || content === null) return "";
  return JSON.stringify(content);
}

/** One log as `search_logs` lists it: what and when, its figures, and the ends of the conversation, cut short. */
export function logDigest(log: RequestLog): Record<string, unknown> {
  const messages = log.prompt_messages ?? [];
  const lastUser = [...messages].reverse().findIndex((message: ChatMessage) => message.role === "user");
  const index = lastUser < 0 ? messages.length - 1 : messages.length - 1 - lastUser;
  const prompt =
    index >= 0
      ? cutString(
          textOf(messages[index]?.content),
          PREVIEW_CHARS,
          log.unique_id,
          `prompt_messages.${index}.content`,
        )
      : log.input !== undefined
        ? cutString(textOf(log.input), PREVIEW_CHARS, log.unique_id, "input")
        : null;
  const completion = log.completion_message
    ? cutString(
        textOf(log.completion_message.content),
        PREVIEW_CHARS,
        log.unique_id,
        "completion_message.content",
      )
    : log.output !== undefined
      ? cutString(textOf(log.output), PREVIEW_CHARS, log.unique_id, "output")
      : null;
  return {
    unique_id: log.unique_id,
    timestamp: log.timestamp ?? null,
    model: log.model ?? null,
    provider_id: log.provider_id ?? null,
    log_source: log.log_source ?? null,
    status_code: log.status_code ?? null,
    error_message: log.error_message ?? null,
    customer_identifier: log.customer_params?.customer_identifier ?? null,
    latency: log.latency ?? null,
    time_to_first_token: log.time_to_first_token ?? null,
    prompt_tokens: log.prompt_tokens ?? 0,
    completion_tokens: log.completion_tokens ?? 0,
    cost: log.cost ?? 0,
    trace_unique_id: log.trace_unique_id ?? null,
    span_name: log.span_name ?? null,
    prompt,
    completion,
  };
}
