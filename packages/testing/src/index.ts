export { chromiumLaunchOptions } from "./chromium.js";
export type { EntraTokens } from "./emulator/azure.js";
export type { AwsCredentials, BedrockAuth } from "./emulator/bedrock-auth.js";
export { cloudModels, cloudProviders } from "./emulator/cloud-providers.js";
export {
  type ProviderEmulator,
  type ProviderEmulatorOptions,
  startProviderEmulator,
} from "./emulator/provider-emulator.js";
export { planReply } from "./emulator/reply.js";
export { countTokens } from "./emulator/tokens.js";
export type { EmulatedRequest, FaultSpec, ReplyPlan, WireFormat } from "./emulator/types.js";
export type { ServiceAccountJson, VertexAuth } from "./emulator/vertex.js";
export { freePort } from "./free-port.js";
export { type ListeningServer, listen } from "./http/listen.js";
export { parseJson, readBody } from "./http/read-body.js";
export { startWebhookReceiver, type WebhookReceiver } from "./http/webhook-receiver.js";
export {
  type CapturedPost,
  type CaptureFault,
  type LogCapture,
  type LogCaptureOptions,
  startLogCapture,
} from "./log-capture/log-capture-server.js";
export { hasPostgres, startPostgres, type TestPostgres } from "./postgres-server.js";
export { parseScrape, type Scrape } from "./prometheus-scrape.js";
export { hasRedisServer, startRedis, type TestRedis } from "./redis-server.js";
export { waitFor } from "./wait-for.js";
