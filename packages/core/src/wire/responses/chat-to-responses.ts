import type { SseEventOut } from "../anthropic/chat-to-messages.js";
import type { OpenAIChatChunk, OpenAIChatCompletion, OpenAIUsage } from "../openai-types.js";

type Json = Record<string, unknown>;

function usageOf(usage: OpenAIUsage | null | undefined): Json {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: input + output,
  };
}

const messageItem = (id: string, text: string, status: string) => ({
  type: "message",
  id,
  status,
  role: "assistant",
  content: text === "" && status !== "completed" ? [] : [{ type: "output_text", text, annotations: [] }],
});

const callItem = (id: string, callId: string, name: string, args: string, status: string) => ({
  type: "function_call",
  id,
  call_id: callId,
  name,
  arguments: args,
  status,
});

/** The Response object around some output: what `responses.create` answers and `response.completed` carries. */
function responseOf(
  id: string,
  model: string,
  created: number,
  output: Json[],
  finish: string | null | undefined,
  usage: OpenAIUsage | null | undefined,
  status?: string,
): Json {
  const incomplete = finish === "length";
  return {
    id,
    object: "response",
    created_at: created,
    status: status ?? (incomplete ? "incomplete" : "completed"),
    error: null,
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    model,
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    text: { format: { type: "text" } },
    truncation: "disabled",
    metadata: {},
    usage: status === "in_progress" ? null : usageOf(usage),
  };
}

/** The canonical completion as a Responses API answer: message and function_call output items, usage. */
export function chatToResponse(completion: OpenAIChatCompletion, model: string): Json {
  const choice = completion.choices[0];
  const message = choice?.message;
  const output: Json[] = [];
  const text = typeof message?.content === "string" ? message.content : "";
  if (text) output.push(messageItem(`msg_${completion.id}`, text, "completed"));
  for (const [index, call] of (message?.tool_calls ?? []).entries())
    output.push(
      callItem(
        `fc_${completion.id}_${index}`,
        call.id,
        call.function.name,
        call.function.arguments,
        "completed",
      ),
    );
  return responseOf(
    `resp_${completion.id}`,
    model,
    completion.created,
    output,
    choice?.finish_reason,
    completion.usage,
  );
}

/**
 * The canonical chunk stream as the Responses API's event sequence: `response.created`, `response.in_progress`,
 * per output item `response.output_item.added` → (`response.content_part.added`, `response.output_text.delta`…,
 * `response.output_text.done`, `response.content_part.done`) or (`response.function_call_arguments.delta`…,
 * `.done`) → `response.output_item.done`, and `response.completed` with the whole response and its usage.
 */
export async function* chatStreamToResponses(
  chunks: AsyncIterable<OpenAIChatChunk>,
  model: string,
): AsyncGenerator<SseEventOut> {
  let sequence = 0;
  const event = (type: string, data: Json): SseEventOut => ({
    event: type,
    data: { type, sequence_number: sequence++, ...data },
  });
  let id = "";
  let created = 0;
  const done: Json[] = [];
  let open:
    | { kind: "text"; index: number; id: string; text: string }
    | {
        kind: "call";
        index: number;
        id: string;
        callId: string;
        name: string;
        args: string;
        toolIndex: number;
      }
    | undefined;
  let finish: string | null | undefined;
  let usage: OpenAIUsage | null | undefined;
  const close = function* (): Generator<SseEventOut> {
    if (!open) return;
    if (open.kind === "text") {
      const common = { item_id: open.id, output_index: open.index, content_index: 0 };
      yield event("response.output_text.done", { ...common, text: open.text, logprobs: [] });
      yield event("response.content_part.done", {
        ...common,
        part: { type: "output_text", text: open.text, annotations: [] },
      });
      const item = messageItem(open.id, open.text, "completed");
      done.push(item);
      yield event("response.output_item.done", { output_index: open.index, item });
    } else {
      yield event("response.function_call_arguments.done", {
        item_id: open.id,
        output_index: open.index,
        arguments: open.args,
        name: open.name,
      });
      const item = callItem(open.id, open.callId, open.name, open.args, "completed");
      done.push(item);
      yield event("response.output_item.done", { output_index: open.index, item });
    }
    open = undefined;
  };
  for await (const chunk of chunks) {
    if (!id) {
      id = `resp_${chunk.id}`;
      created = chunk.created;
      const response = responseOf(id, model, created, [], null, null, "in_progress");
      yield event("response.created", { response });
      yield event("response.in_progress", { response });
    }
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") {
      if (open?.kind !== "text") {
        yield* close();
        open = { kind: "text", index: done.length, id: `msg_${chunk.id}_${done.length}`, text: "" };
        yield event("response.output_item.added", {
          output_index: open.index,
          item: messageItem(open.id, "", "in_progress"),
        });
        yield event("response.content_part.added", {
          item_id: open.id,
          output_index: open.index,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] },
        });
      }
      open.text += delta.content;
      yield event("response.output_text.delta", {
        item_id: open.id,
        output_index: open.index,
        content_index: 0,
        delta: delta.content,
        logprobs: [],
      });
    }
    for (const call of delta.tool_calls ?? []) {
      if (open?.kind !== "call" || open.toolIndex !== call.index) {
        yield* close();
        const index = done.length;
        open = {
          kind: "call",
          index,
          id: `fc_${chunk.id}_${index}`,
          callId: call.id ?? `call_${index}`,
          name: call.function?.name ?? "",
          args: "",
          toolIndex: call.index,
        };
        yield event("response.output_item.added", {
          output_index: index,
          item: callItem(open.id, open.callId, open.name, "", "in_progress"),
        });
      }
      const args = call.function?.arguments;
      if (args && open.kind === "call") {
        open.args += args;
        yield event("response.function_call_arguments.delta", {
          item_id: open.id,
          output_index: open.index,
          delta: args,
        });
      }
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  yield* close();
  yield event(finish === "length" ? "response.incomplete" : "response.completed", {
    response: responseOf(id, model, created, done, finish, usage),
  });
}
