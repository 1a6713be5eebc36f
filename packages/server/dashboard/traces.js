// Traces: the list (`#/traces`, newest first) and one trace (`#/traces/:id`) as a span tree with timing bars on a
// shared time axis, each span's model, tokens and cost, and the selected span's input and output.
import { api } from "./api.js";
import { $, cell, el, facts, money, prependNew, secs } from "./dom.js";
import { messageBlock, messagesOf } from "./log-detail.js";

const durationOf = (trace) => secs(Math.max(0, trace.end_ms - trace.start_ms) / 1000);

const traceCells = (trace) => [
  cell(new Date(trace.start_ms).toLocaleString()),
  cell(trace.root_name ?? "(root not logged)"),
  cell(trace.customer_identifier ?? "–"),
  cell(String(trace.spans)),
  cell(String(trace.model_calls)),
  cell(String(trace.total_tokens)),
  cell(money(trace.cost)),
  cell(durationOf(trace)),
  cell(trace.errors > 0 ? `${trace.errors} error${trace.errors > 1 ? "s" : ""}` : "ok"),
];
const signature = (trace) => `${trace.spans}:${trace.end_ms}:${trace.root_name}:${trace.errors}`;

/** One trace as a table row; a click opens it by URL. */
export function traceRow(trace) {
  return el(
    "tr",
    {
      className: trace.errors > 0 ? "error" : undefined,
      dataset: { signature: signature(trace) },
      onclick: () => {
        location.hash = `#/traces/${encodeURIComponent(trace.trace_unique_id)}`;
      },
    },
    ...traceCells(trace),
  );
}

/**
 * The trace list, live: the same query again adds traces not shown yet on top and refills the rows of traces that
 * changed; nothing else is re-rendered. The window's start moves with the clock, so it is not part of what makes a
 * query "the same".
 */
export async function refreshTraceList(tbody, query) {
  const page = await api(`/api/traces/?limit=50${query}`);
  const key = query.replace(/&start_time=\d+/, "");
  if (tbody.dataset.query !== key) {
    tbody.replaceChildren();
    tbody.dataset.query = key;
  }
  prependNew(tbody, page.results, (trace) => trace.trace_unique_id, traceRow);
  // A trace still running gains spans (a LangChain root is logged last): its row is refilled in place.
  const rows = new Map([...tbody.children].map((row) => [row.dataset.key, row]));
  for (const trace of page.results) {
    const row = rows.get(trace.trace_unique_id);
    if (!row || row.dataset.signature === signature(trace)) continue;
    row.replaceChildren(...traceCells(trace));
    row.dataset.signature = signature(trace);
    row.className = trace.errors > 0 ? "error" : "";
  }
}

const startOf = (span) => {
  const start = Date.parse(span.start_time ?? "");
  const end = Date.parse(span.timestamp ?? "");
  return Number.isFinite(start) ? start : end - (span.latency ?? 0) * 1000;
};
const endOf = (span) => Date.parse(span.timestamp ?? "");
const nameOf = (span) => span.span_name ?? span.span_workflow_name ?? span.log_type ?? span.model ?? "span";

/** Spans in tree order (depth first, children by start): parents from `span_parent_id`, orphans at the top level. */
export function spanTree(spans) {
  const byId = new Map(spans.filter((s) => s.span_unique_id).map((s) => [s.span_unique_id, s]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    const parent = span.span_parent_id && byId.has(span.span_parent_id) ? span.span_parent_id : undefined;
    if (parent) children.set(parent, [...(children.get(parent) ?? []), span]);
    else roots.push(span);
  }
  const ordered = [];
  const walk = (span, depth) => {
    ordered.push({ span, depth });
    const kids = (children.get(span.span_unique_id) ?? []).sort((a, b) => startOf(a) - startOf(b));
    for (const kid of kids) walk(kid, depth + 1);
  };
  for (const root of roots.sort((a, b) => startOf(a) - startOf(b))) walk(root, 0);
  return ordered;
}

function showSpan(span) {
  const { prompt, completion } = messagesOf(span);
  $("#span-name").textContent = nameOf(span);
  $("#span-input").replaceChildren(...prompt.map(messageBlock));
  $("#span-output").replaceChildren(...(completion ? [messageBlock(completion)] : []));
  $("#span-json").textContent = JSON.stringify(span, null, 2);
  $("#span-log").href = `#/logs/${encodeURIComponent(span.unique_id)}`;
  $("#span-detail").hidden = false;
}

export async function showTrace(id) {
  const { trace, spans } = await api(`/api/traces/${encodeURIComponent(id)}`);
  $("#trace-title").textContent = trace.root_name ?? trace.trace_unique_id;
  $("#trace-facts").replaceChildren(
    ...facts([
      ["customer", trace.customer_identifier ?? "–"],
      ["spans", trace.spans],
      ["model calls", trace.model_calls],
      ["tokens", trace.total_tokens],
      ["cost", money(trace.cost)],
      ["duration", durationOf(trace)],
      ["errors", trace.errors],
    ]),
  );
  const t0 = Math.min(...spans.map(startOf));
  const total = Math.max(1, Math.max(...spans.map(endOf)) - t0);
  $("#span-tree tbody").replaceChildren(
    ...spanTree(spans).map(({ span, depth }) => {
      const left = ((startOf(span) - t0) / total) * 100;
      const width = Math.max(0.5, ((endOf(span) - startOf(span)) / total) * 100);
      const row = el(
        "tr",
        {
          className: span.status === "error" ? "error" : undefined,
          dataset: { id: span.unique_id, depth: String(depth), parent: span.span_parent_id ?? "" },
          onclick: () => {
            for (const other of row.parentElement.children) other.classList.remove("selected");
            row.classList.add("selected");
            showSpan(span);
          },
        },
        el(
          "td",
          { className: "span-name", style: { paddingLeft: `${0.5 + depth * 1.25}rem` } },
          el("span", { text: nameOf(span) }),
          span.model ? el("span", { className: "muted", text: ` ${span.model}` }) : null,
        ),
        el(
          "td",
          { className: "timing" },
          el(
            "div",
            { className: "track" },
            el("div", {
              className: `bar ${span.model ? "model" : ""}`,
              style: { left: `${left}%`, width: `${Math.min(width, 100 - left)}%` },
              title: secs(span.latency),
            }),
          ),
        ),
        cell(span.total_tokens ?? "–"),
        cell(span.cost === undefined ? "–" : money(span.cost)),
        cell(secs(span.latency)),
      );
      return row;
    }),
  );
  $("#span-detail").hidden = true;
}
