import { runStandalone } from "@keyway/example-shared";
import { runKoaExample } from "./koa-example.js";

await runStandalone("koa", runKoaExample);
