import { runStandalone } from "@keyway/example-shared";
import { runExpressExample } from "./express-example.js";

await runStandalone("express", runExpressExample);
