import type { SpanLike } from "./span-like.js";

/** Attributes that say who a span is for (customer, thread, metadata), in every convention read. */
const identityPrefixes = [
  "keyway.",
  "ai.telemetry.metadata.",
  "ai.settings.context.",
  "respan.customer_params.",
  "respan.threads.",
  "respan.metadata",
];
// One regular expression, not a loop of startsWith: every attribute key of every span is tested.
const identityPattern = new RegExp(
  `^(?:${identityPrefixes.map((prefix) => prefix.replaceAll(".", "\\.")).join("|")})`,
);
const isIdentity = (key: string) => identityPattern.test(key);
const none: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * The spans with the identity attributes of their ancestors (within the same batch) added where they have none
 * of their own: instrumentations often put the customer only on the root span (the AI SDK's runtime context on
 * `invoke_agent`), while the model call is a grandchild. A span's own values always win.
 */
export function inheritIdentity(spans: readonly SpanLike[]): SpanLike[] {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const resolved = new Map<string, Record<string, unknown>>();
  const identityOf = (span: SpanLike, depth = 0): Record<string, unknown> => {
    const id = span.spanContext().spanId;
    const known = resolved.get(id);
    if (known) return known;
    const parentId = span.parentSpanContext?.spanId ?? span.parentSpanId;
    const parent = parentId && depth < 64 ? byId.get(parentId) : undefined;
    const inherited = parent ? identityOf(parent, depth + 1) : none;
    let identity = inherited;
    for (const key in span.attributes ?? {})
      if (isIdentity(key)) {
        if (identity === inherited) identity = { ...inherited };
        identity[key] = span.attributes[key];
      }
    resolved.set(id, identity);
    return identity;
  };
  return spans.map((span) => {
    const inherited = identityOf(span);
    if (inherited === none) return span;
    const missing = Object.keys(inherited).filter((key) => span.attributes?.[key] === undefined);
    if (missing.length === 0) return span;
    const attributes = { ...span.attributes };
    for (const key of missing) attributes[key] = inherited[key];
    return {
      name: span.name,
      spanContext: () => span.spanContext(),
      parentSpanContext: span.parentSpanContext,
      parentSpanId: span.parentSpanId,
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      status: span.status,
      attributes,
      events: span.events,
      instrumentationScope: span.instrumentationScope,
    };
  });
}
