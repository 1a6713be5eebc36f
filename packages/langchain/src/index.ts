export { KeywayCallbackHandler, type KeywayCallbackHandlerOptions } from "./keyway-callback-handler.js";
export { messageType, toOpenAIMessage, toOpenAIToolCalls } from "./message-mapping.js";
