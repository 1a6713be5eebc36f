import { runStandalone } from "@keyway/example-shared";
import { runLangChainExample } from "./langchain-example.js";

await runStandalone("langchain", runLangChainExample);
