// The detail of one log (`#/logs/:id`): the prompt and completion as a chat, tool calls, a link to its trace, and
// every field.
import { api } from "./api.js";
import { $, el, facts, money, secs, textOf } from "./dom.js";

function toolCallBlock(call) {
  let args = call.function?.arguments ?? "";
  try {
    args = JSON.stringify(JSON.parse(args), null, 2);
  } catch {}
  return el(
    "div",
    { className: "tool-call" },
    el("span", { className: "role", text: `tool call · ${call.function?.name ?? "?"}` }),
    el("pre", { text: args }),
  );
}

/** One chat message: its role, its text, and its tool calls (each with its arguments). */
export function messageBlock(message) {
  const role = message.role ?? "";
  return el(
    "div",
    { className: `message role-${role}` },
    el("span", {
      className: "role",
      text: message.tool_call_id ? `${role} · ${message.tool_call_id}` : role,
    }),
    el("span", { className: "content", text: textOf(message.content) }),
    ...(message.tool_calls ?? []).map(toolCallBlock),
  );
}

export function messagesOf(log) {
  const prompt =
    log.prompt_messages ?? (log.input !== undefined ? [{ role: "input", content: log.input }] : []);
  const completion =
    log.completion_message ?? (log.output !== undefined ? { role: "output", content: log.output } : null);
  return { prompt, completion };
}

export async function openLogDetail(id) {
  const log = await api(`/api/request-logs/${encodeURIComponent(id)}`);
  $("#detail-id").textContent = log.unique_id;
  const { prompt, completion } = messagesOf(log);
  $("#detail-facts").replaceChildren(
    ...facts([
      ["model", log.model],
      ["customer", log.customer_params?.customer_identifier],
      ["status", log.status_code],
      ["tokens", log.total_tokens],
      ["cost", log.cost === undefined ? undefined : money(log.cost)],
      ["latency", secs(log.latency)],
      ["TTFT", secs(log.time_to_first_token)],
    ]),
  );
  const trace = $("#detail-trace");
  trace.hidden = !log.trace_unique_id;
  if (log.trace_unique_id) trace.href = `#/traces/${encodeURIComponent(log.trace_unique_id)}`;
  $("#detail-prompt").replaceChildren(...prompt.map(messageBlock));
  $("#detail-completion").replaceChildren(...(completion ? [messageBlock(completion)] : []));
  $("#detail-json").textContent = JSON.stringify(log, null, 2);
  $("#detail").hidden = false;
}

export function closeLogDetail() {
  $("#detail").hidden = true;
}
