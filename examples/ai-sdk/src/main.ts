import { runStandalone } from "@keyway/example-shared";
import { runAISDKExample } from "./ai-sdk-example.js";

await runStandalone("ai-sdk", runAISDKExample);
