export { runLangChainExample } from "./langchain-example.js";
