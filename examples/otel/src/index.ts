export { runOTelExample } from "./otel-example.js";
