import { currentContext } from "@keyway/core";

interface WritableSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
}

/**
 * A `SpanProcessor` that stamps the Keyway context (customer, thread, metadata of the Express/Koa middleware)
 * onto each span as it starts, as `keyway.*` attributes — the exporter runs later, outside the request, and reads
 * them back. Add it before the exporting processor: `spanProcessors: [new KeywayContextSpanProcessor(), …]`.
 */
export class KeywayContextSpanProcessor {
  onStart(span: WritableSpan): void {
    const context = currentContext();
    if (!context) return;
    const customer = context.customer_params;
    if (customer?.customer_identifier)
      span.setAttribute("keyway.customer_identifier", customer.customer_identifier);
    if (customer?.email) span.setAttribute("keyway.customer_email", customer.email);
    if (customer?.name) span.setAttribute("keyway.customer_name", customer.name);
    if (context.thread_identifier) span.setAttribute("keyway.thread_identifier", context.thread_identifier);
    for (const [key, value] of Object.entries(context.metadata ?? {})) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        span.setAttribute(`keyway.metadata.${key}`, value);
    }
  }

  onEnd(): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
