export { AttributeReader, fromAISDKMessages, fromGenAIMessages } from "./attributes.js";
export { aiSdkLegacy } from "./conventions/ai-sdk-legacy.js";
export { genAISemconv } from "./conventions/genai-semconv.js";
export { openLLMetry } from "./conventions/openllmetry.js";
export type { Convention, SpanReading } from "./conventions/span-reading.js";
export { KeywayContextSpanProcessor } from "./keyway-context-span-processor.js";
export { KeywaySpanExporter, type KeywaySpanExporterOptions } from "./keyway-span-exporter.js";
export type { SpanLike } from "./span-like.js";
export { conventions, readSpan, spanToLog } from "./span-to-log.js";
