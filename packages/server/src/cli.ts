#!/usr/bin/env node
import { parseArgs } from "node:util";
import { KeywayError } from "@keyway/core";
import { resolveServeOptions } from "./config/server-config.js";
import { DEFAULT_API_KEY, startKeywayServer } from "./keyway-server.js";
import { runMcpStdio } from "./mcp/mcp-stdio.js";
import { rotateSecret } from "./settings/rotate-secret.js";
import { maskUrl, maskUrls } from "./store/db-url.js";

const usage = `Usage: keyway serve [--port 8787] [--host 127.0.0.1] [--db ./keyway.db | --db postgres://user:pass@host:5432/keyway] [--api-key KEY]... [--config keyway.config.json] [--drain-ms 0]
                    [--metrics-port PORT | --no-metrics] [--log-format text|json]

On SIGTERM, /readyz answers 503 for --drain-ms (KEYWAY_DRAIN_MS) while requests are still served, then it stops.
GET /metrics (Prometheus) needs a read-scoped key; --metrics-port (KEYWAY_METRICS_PORT) also serves it without one.
--log-format json (KEYWAY_LOG_FORMAT) writes the server's events (start, stop, settings changes, store or Redis lost and
regained, alerts) as one JSON object per line on stdout.

Env: KEYWAY_PORT, KEYWAY_HOST, KEYWAY_DB, KEYWAY_API_KEYS (comma-separated), KEYWAY_CONFIG, KEYWAY_REDIS_URL, and provider keys
(GROQ_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY, …) for the gateway; KEYWAY_SECRET_KEY seals stored credentials.

       keyway rotate-secret [--db ./keyway.db | postgres://…] [--new-key KEY]
         re-seals every stored credential under a new key while instances keep serving (SQLite's key file: a new
         key is generated; KEYWAY_SECRET_KEY: give --new-key, or the ring "new,old" the instances already run with).

       keyway mcp [--url http://127.0.0.1:8787] [--api-key KEY]
         an MCP server over stdio for coding agents, reading a keyway serve's logs, traces and metrics with a
         read-scoped key (env KEYWAY_BASE_URL, KEYWAY_API_KEY).`;

async function mcp(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: "string" }, "api-key": { type: "string" } } });
  await runMcpStdio({
    url: values.url ?? process.env.KEYWAY_BASE_URL ?? "http://127.0.0.1:8787",
    apiKey: values["api-key"] ?? process.env.KEYWAY_API_KEY ?? DEFAULT_API_KEY,
  });
}

async function rotate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { db: { type: "string" }, "new-key": { type: "string" }, config: { type: "string" } },
  });
  const db = resolveServeOptions({ db: values.db, config: values.config }).dbPath ?? "./keyway.db";
  const result = await rotateSecret(db, { newKey: values["new-key"], env: process.env });
  console.log(`keyway rotate-secret: ${result.resealed} stored secret(s) sealed under key ${result.keyId}`);
  if (result.next) console.log(result.next);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "rotate-secret") return rotate(rest);
  if (command === "mcp") return mcp(rest);
  if (command !== "serve") {
    console.log(usage);
    process.exit(command === undefined || command === "--help" || command === "help" ? 0 : 2);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "api-key": { type: "string", multiple: true },
      config: { type: "string" },
      redis: { type: "string" },
      "drain-ms": { type: "string" },
      "metrics-port": { type: "string" },
      "no-metrics": { type: "boolean" },
      "log-format": { type: "string" },
    },
  });
  const options = resolveServeOptions({
    port: values.port,
    host: values.host,
    db: values.db,
    apiKey: values["api-key"],
    config: values.config,
    redis: values.redis,
    drainMs: values["drain-ms"],
    metricsPort: values["metrics-port"],
    noMetrics: values["no-metrics"],
    logFormat: values["log-format"],
  });
  const server = await startKeywayServer(options);
  const { events } = server;
  const keyNote = options.apiKeys ? `${options.apiKeys.length} API key(s)` : `API key ${DEFAULT_API_KEY}`;
  const db = maskUrl(options.dbPath ?? "");
  events.emit("start", `keyway serve listening on ${server.url} (db ${db}, ${keyNote})`, {
    url: server.url,
    db,
    api_keys: options.apiKeys?.length ?? 0,
    alerts: options.alerts?.length ?? 0,
    metrics_port: server.metricsPort,
  });
  if (server.metricsPort !== undefined && events.format === "text")
    events.emit("start", `keyway serve: GET /metrics without a key on port ${server.metricsPort}`);
  if (!options.apiKeys && options.host !== "127.0.0.1" && options.host !== "localhost")
    events.emit(
      "warning",
      `warning: serving on ${options.host} with the default API key; set --api-key or KEYWAY_API_KEYS`,
    );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => {
      events.emit("stop", `keyway serve stopped (${signal})`, { signal });
      process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  // One line, and never a password: a database URL in a message is masked.
  const message = KeywayError.isInstance(error) ? error.message : String(error);
  console.error(`keyway: ${maskUrls(message).split("\n")[0]}`);
  process.exit(1);
});
