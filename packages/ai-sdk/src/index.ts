export { createKeyway, type KeywayProvider, type KeywayProviderSettings } from "./create-keyway.js";
