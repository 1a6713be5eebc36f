import { currentContext } from "@keyway/core";

interface WritableSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
}

/**
 * A `SpanProcessor` that stamps the Keyway context (customer, thread, metadata of the Express/Koa middleware)
 * onto each span as it starts, as `keyway.*` attributes. Identity is fixed at start because that is the only
 * moment the span runs inside its request: exporters run later, often from a batch timer that inherited some
 * other request's context. A span started outside any Keyway context gets nothing. Put it before the exporting
 * processor (`keywaySpanProcessors()` does).
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
    if (context.custom_identifier) span.setAttribute("keyway.custom_identifier", context.custom_identifier);
    for (const [key, value] of Object.entries(context.metadata ?? {})) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        span.setAttribute(`keyway.metadata.${key}`, value);
      else if (value !== undefined && value !== null)
        span.setAttribute(`keyway.metadata.${key}`, JSON.stringify(value));
    }
  }

  onEnd(): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
