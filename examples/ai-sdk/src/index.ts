export { runAISDKExample } from "./ai-sdk-example.js";
