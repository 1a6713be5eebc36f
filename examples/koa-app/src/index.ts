export { createKoaApp, runKoaExample } from "./koa-example.js";
