export { AttributeReader, fromAISDKMessages, fromGenAIMessages } from "./attributes.js";
export { aiSdkLegacy } from "./conventions/ai-sdk-legacy.js";
export { genAISemconv } from "./conventions/genai-semconv.js";
export { openLLMetry } from "./conventions/openllmetry.js";
export type { Convention, SpanReading } from "./conventions/span-reading.js";
export { inheritIdentity } from "./inherit-identity.js";
export {
  type KeywayBatchOptions,
  KeywayBatchSpanProcessor,
  type SpanExporterLike,
} from "./keyway-batch-span-processor.js";
export { KeywayContextSpanProcessor } from "./keyway-context-span-processor.js";
export { KeywaySpanExporter, type KeywaySpanExporterOptions } from "./keyway-span-exporter.js";
export { keywaySpanProcessors } from "./keyway-span-processors.js";
export type { HrTime, SpanLike } from "./span-like.js";
export { conventions, readSpan, spanToLog } from "./span-to-log.js";
