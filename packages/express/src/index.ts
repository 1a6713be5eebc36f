export { keywayErrorHandler } from "./keyway-error-handler.js";
export { type KeywayGatewayOptions, keywayGateway } from "./keyway-gateway.js";
export { type KeywayExpressOptions, keyway } from "./keyway-middleware.js";
