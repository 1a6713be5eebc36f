// Added latency of the Express and Koa middleware on a route that makes no LLM call: the same app with and
// without keyway(), requests alternating between the two (A/B) in rounds; p50 is the median of round medians.
import http from "node:http";
import { keyway as expressKeyway } from "@keyway/express";
import { keyway as koaKeyway } from "@keyway/koa";
import express from "express";
import Koa from "koa";
import { median, round } from "./lib/stats.mjs";

const agent = new http.Agent({ keepAlive: true });
const get = (port) =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http
      .get({ agent, host: "127.0.0.1", port, path: "/ping", headers: { "x-user": "u1" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(Number(process.hrtime.bigint() - started) / 1e3));
      })
      .on("error", reject);
  });
const listen = (handler) =>
  new Promise((resolve) => {
    const server = http.createServer(handler).listen(0, "127.0.0.1", () => resolve(server));
  });

function expressApp(withKeyway) {
  const app = express();
  if (withKeyway) app.use(expressKeyway({ customer: (req) => req.header("x-user") }));
  app.get("/ping", (_req, res) => res.send("pong"));
  return app;
}
function koaApp(withKeyway) {
  const app = new Koa();
  if (withKeyway) app.use(koaKeyway({ customer: (ctx) => ctx.get("x-user") }));
  app.use((ctx) => {
    ctx.body = "pong";
  });
  return app.callback();
}

async function abPair(framework, make) {
  const plain = await listen(make(false));
  const withKeyway = await listen(make(true));
  const ports = [plain.address().port, withKeyway.address().port];
  for (let i = 0; i < 500; i++) for (const port of ports) await get(port);
  const rounds = [[], []];
  for (let r = 0; r < 15; r++) {
    const per = [[], []];
    for (let i = 0; i < 200; i++)
      for (const [index, port] of ports.entries()) per[index].push(await get(port));
    rounds[0].push(median(per[0]));
    rounds[1].push(median(per[1]));
  }
  plain.close();
  withKeyway.close();
  const base = median(rounds[0]);
  const added = median(rounds[1].map((value, i) => value - rounds[0][i]));
  return {
    framework,
    p50Micros: round(base, 1),
    p50WithKeywayMicros: round(median(rounds[1]), 1),
    addedMicros: round(added, 1),
  };
}

export async function middlewareOverhead() {
  return [await abPair("express", expressApp), await abPair("koa", koaApp)];
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await middlewareOverhead(), null, 2));
