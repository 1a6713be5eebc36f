export { type ExampleEnv, exampleGateway, runStandalone } from "./example-env.js";
