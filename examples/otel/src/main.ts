import { runStandalone } from "@keyway/example-shared";
import { runOTelExample } from "./otel-example.js";

await runStandalone("otel", runOTelExample);
