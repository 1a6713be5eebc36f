import { splitIntoPieces } from "./tokens.js";
import type { ReplyInput, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

const textOf = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? (content as Json[]).map((part) => (typeof part?.text === "string" ? part.text : "")).join(" ")
      : "";

/** Reads an OpenAI Responses body (`input` as a string or items); answers an error message for a bad one. */
export function parseOpenAIResponses(body: unknown): ReplyInput | string {
  if (typeof body !== "object" || body === null) return "The request body must be a JSON object.";
  const b = body as Json;
  if (typeof b.model !== "string" || b.model === "") return "you must provide a model parameter";
  const items: Json[] =
    typeof b.input === "string"
      ? [{ role: "user", content: b.input }]
      : Array.isArray(b.input)
        ? (b.input as Json[])
        : [];
  if (items.length === 0) return "'input' must be a string or a non-empty array";
  const texts = [
    textOf(b.instructions),
    ...items.map((item) =>
      item.type === "function_call_output" ? String(item.output) : textOf(item.content),
    ),
  ];
  const last = items[items.length - 1] as Json;
  const afterToolResult = last.type === "function_call_output";
  const lastUser = afterToolResult ? undefined : [...items].reverse().find((item) => item.role === "user");
  const tools = Array.isArray(b.tools)
    ? (b.tools as Json[])
        .filter((tool) => tool.type === "function")
        .map((tool) => ({ name: String(tool.name), parameters: tool.parameters }))
    : [];
  const choice = b.tool_choice as unknown;
  let toolChoice: ReplyInput["toolChoice"] = "auto";
  if (choice === "none" || choice === "required") toolChoice = choice;
  else if (typeof choice === "object" && choice !== null)
    toolChoice = { name: String((choice as Json).name) };
  return {
    model: b.model,
    lastText: afterToolResult ? String(last.output) : textOf(lastUser?.content),
    afterToolResult,
    promptText: texts.join(" "),
    messageCount: items.length,
    imageCount: 0,
    tools,
    toolChoice,
    ...(typeof b.max_output_tokens === "number" ? { maxTokens: b.max_output_tokens } : {}),
    jsonOutput: undefined,
    cacheHint: false,
  };
}

function outputOf(plan: ReplyPlan, id: string): Json[] {
  const output: Json[] = [];
  if (plan.text)
    output.push({
      type: "message",
      id: `msg_${id}`,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: plan.text, annotations: [] }],
    });
  for (const [index, call] of plan.toolCalls.entries())
    output.push({
      type: "function_call",
      id: `fc_${id}_${index}`,
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: "completed",
    });
  return output;
}

export function openAIResponse(
  plan: ReplyPlan,
  model: string,
  id: string,
  created: number,
  status = "completed",
): Json {
  return {
    id,
    object: "response",
    created_at: created,
    status: plan.finish === "length" && status === "completed" ? "incomplete" : status,
    incomplete_details: plan.finish === "length" ? { reason: "max_output_tokens" } : null,
    error: null,
    model,
    output: status === "completed" ? outputOf(plan, id) : [],
    usage:
      status === "completed"
        ? {
            input_tokens: plan.promptTokens,
            input_tokens_details: { cached_tokens: plan.cachedTokens },
            output_tokens: plan.completionTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: plan.promptTokens + plan.completionTokens,
          }
        : null,
  };
}

/** The Responses stream of a reply, as OpenAI sends it: one SSE event per string. */
export function openAIResponsesStreamEvents(
  plan: ReplyPlan,
  model: string,
  id: string,
  created: number,
): string[] {
  let sequence = 0;
  const event = (type: string, data: Json) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const events = [
    event("response.created", { response: openAIResponse(plan, model, id, created, "in_progress") }),
    event("response.in_progress", { response: openAIResponse(plan, model, id, created, "in_progress") }),
  ];
  const output = outputOf(plan, id);
  output.forEach((item, index) => {
    if (item.type === "message") {
      const itemId = String(item.id);
      events.push(
        event("response.output_item.added", {
          output_index: index,
          item: { ...item, status: "in_progress", content: [] },
        }),
      );
      events.push(
        event("response.content_part.added", {
          item_id: itemId,
          output_index: index,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] },
        }),
      );
      for (const piece of splitIntoPieces(plan.text))
        events.push(
          event("response.output_text.delta", {
            item_id: itemId,
            output_index: index,
            content_index: 0,
            delta: piece,
            logprobs: [],
          }),
        );
      events.push(
        event("response.output_text.done", {
          item_id: itemId,
          output_index: index,
          content_index: 0,
          text: plan.text,
          logprobs: [],
        }),
      );
      events.push(
        event("response.content_part.done", {
          item_id: itemId,
          output_index: index,
          content_index: 0,
          part: { type: "output_text", text: plan.text, annotations: [] },
        }),
      );
    } else {
      events.push(
        event("response.output_item.added", {
          output_index: index,
          item: { ...item, arguments: "", status: "in_progress" },
        }),
      );
      events.push(
        event("response.function_call_arguments.delta", {
          item_id: item.id,
          output_index: index,
          delta: item.arguments,
        }),
      );
      events.push(
        event("response.function_call_arguments.done", {
          item_id: item.id,
          output_index: index,
          arguments: item.arguments,
        }),
      );
    }
    events.push(event("response.output_item.done", { output_index: index, item }));
  });
  events.push(event("response.completed", { response: openAIResponse(plan, model, id, created) }));
  return events;
}
