export { type KeywayGatewayOptions, keywayGateway } from "./keyway-gateway.js";
export { type KeywayKoaOptions, keyway } from "./keyway-middleware.js";
