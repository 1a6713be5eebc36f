export { createExpressApp, runExpressExample } from "./express-example.js";
