import type { RequestLog } from "@keyway/core";
import type { TraceDetail } from "../store/log-store.js";

export interface SpanNode {
  unique_id: string;
  span_unique_id: string | null;
  parent: string | null;
  name: string;
  depth: number;
  /** Milliseconds from the trace's start. */
  start_offset_ms: number;
  duration_ms: number;
  model: string | null;
  status_code: number | null;
  total_tokens: number;
  cost: number;
  error_message: string | null;
}

function startOf(span: RequestLog): number {
  const end = Date.parse(span.timestamp ?? "");
  const start = Date.parse(span.start_time ?? "");
  if (Number.isFinite(start)) return start;
  return end - Math.round((span.latency ?? 0) * 1000);
}

/** The spans in tree order (each parent before its children, siblings by start); orphans sit at the root. */
export function spanTree(detail: TraceDetail): SpanNode[] {
  const spans = detail.spans;
  const ids = new Set(spans.map((span) => span.span_unique_id).filter(Boolean));
  const children = new Map<string | null, RequestLog[]>();
  for (const span of spans) {
    const parent = span.span_parent_id && ids.has(span.span_parent_id) ? span.span_parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const out: SpanNode[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    const level = [...(children.get(parent) ?? [])].sort((a, b) => startOf(a) - startOf(b));
    for (const span of level) {
      if (seen.has(span.unique_id)) continue;
      seen.add(span.unique_id);
      const start = startOf(span);
      out.push({
        unique_id: span.unique_id,
        span_unique_id: span.span_unique_id ?? null,
        parent: span.span_parent_id ?? null,
        name: span.span_name ?? span.span_workflow_name ?? span.model ?? span.log_type ?? "span",
        depth,
        start_offset_ms: Math.max(0, start - detail.trace.start_ms),
        duration_ms:
          Math.max(0, Date.parse(span.timestamp ?? "") - start) || Math.round((span.latency ?? 0) * 1000),
        model: span.model ?? null,
        status_code: span.status_code ?? null,
        total_tokens: span.total_tokens ?? 0,
        cost: span.cost ?? 0,
        error_message: span.error_message ?? null,
      });
      if (span.span_unique_id) walk(span.span_unique_id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The tree as indented lines a model reads at a glance. */
export function renderSpanTree(detail: TraceDetail, nodes: SpanNode[]): string {
  const t = detail.trace;
  const head =
    `trace ${t.trace_unique_id}: ${t.root_name ?? "(no root span yet)"}, ${t.spans} spans, ${t.model_calls} model calls, ` +
    `${t.end_ms - t.start_ms} ms, ${t.total_tokens} tokens, $${t.cost.toFixed(6)}, ${t.errors} errors, ` +
    `customer ${t.customer_identifier ?? "none"}, started ${new Date(t.start_ms).toISOString()}`;
  const lines = nodes.map((node) => {
    const parts = [`+${node.start_offset_ms} ms`, `${node.duration_ms} ms`];
    if (node.model) parts.push(node.model);
    if (node.total_tokens) parts.push(`${node.total_tokens} tokens`);
    if (node.cost) parts.push(`$${node.cost.toFixed(6)}`);
    if (node.status_code !== null) parts.push(`status ${node.status_code}`);
    const error = node.error_message ? ` ERROR: ${node.error_message.slice(0, 200)}` : "";
    return `${"  ".repeat(node.depth)}- ${node.name} (${parts.join(", ")}) log ${node.unique_id}${error}`;
  });
  return [head, ...lines].join("\n");
}
