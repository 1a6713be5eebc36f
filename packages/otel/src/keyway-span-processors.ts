import { type KeywayBatchOptions, KeywayBatchSpanProcessor } from "./keyway-batch-span-processor.js";
import { KeywayContextSpanProcessor } from "./keyway-context-span-processor.js";
import { KeywaySpanExporter, type KeywaySpanExporterOptions } from "./keyway-span-exporter.js";

/**
 * The recommended set-up, for `NodeSDK({ spanProcessors })` or a `TracerProvider`: the context stamper (each
 * span carries the customer, thread and metadata of the request it started in) followed by a batching processor
 * into `KeywaySpanExporter`.
 *
 * @example
 * new NodeSDK({ spanProcessors: keywaySpanProcessors() }).start();
 */
export function keywaySpanProcessors(
  options: KeywaySpanExporterOptions & KeywayBatchOptions = {},
): [KeywayContextSpanProcessor, KeywayBatchSpanProcessor] {
  return [
    new KeywayContextSpanProcessor(),
    new KeywayBatchSpanProcessor(new KeywaySpanExporter(options), options),
  ];
}
