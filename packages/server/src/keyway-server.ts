import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createGateway,
  DEFAULT_LOCAL_API_KEY,
  type Gateway,
  type GatewayConfig,
  type ModelPrices,
  serveGateway,
  stderrWarner,
} from "@keyway/core";
import { createAuthCheck } from "./http/auth.js";
import { HttpError } from "./http/http-error.js";
import { decodeSegment, readFilters, readGrouping, readLimit } from "./http/query-filters.js";
import { sendError, sendJson } from "./http/respond.js";
import { OtlpDecoder } from "./otlp/otlp-decoder.js";
import { dashboardAsset, dashboardSecurityHeaders } from "./routes/dashboard-assets.js";
import { createIngestRoute, type IngestKind } from "./routes/ingest.js";
import { createOtlpRoute } from "./routes/otlp-ingest.js";
import type { LogStore } from "./store/log-store.js";
import { openLogStore } from "./store/open-log-store.js";
import { StoreLogSink } from "./store/store-log-sink.js";

export interface KeywayServerOptions {
  port?: number;
  host?: string;
  /** A SQLite file (default `./keyway.db`) or a `postgres://` URL; ignored when `store` is given. */
  dbPath?: string;
  store?: LogStore;
  /** Bearer keys accepted by every API route and the dashboard (default `["kw_local"]`). */
  apiKeys?: string[];
  /** Providers, key pools and custom providers for the gateway at `/api/chat/completions`. */
  gateway?: Omit<GatewayConfig, "sink" | "onLog">;
  prices?: Record<string, ModelPrices>;
  maxBodyBytes?: number;
  maxStringChars?: number;
  /** A read query (list, metrics, count) running longer is stopped and answered 503 (default 15 s). */
  queryTimeoutMs?: number;
  /** Largest stored log, serialized (default 2 Mi characters): its biggest fields are cut with a marker past it. */
  maxLogChars?: number;
  /** Spans taken from one OTLP export; the rest are rejected in OTLP's partial success (default 10,000). */
  maxOtlpSpans?: number;
  /**
   * Problems that do not fail a request: a write after a `block: false` answer, a gateway log the store could
   * not take. Default: one line on stderr, at most one per 10 s.
   */
  onError?: (error: unknown) => void;
}

export interface KeywayServer {
  url: string;
  port: number;
  store: LogStore;
  gateway: Gateway;
  server: Server;
  /** Stops accepting, lets in-flight requests finish, flushes writes, closes the database. */
  close(): Promise<void>;
}

/** The key `keyway serve` and the doors' default sink share when none is configured (loopback only). */
export const DEFAULT_API_KEY = DEFAULT_LOCAL_API_KEY;

/**
 * Where logs arrive, with or without the `/api` prefix and the trailing slash: the doors and Respan's clients
 * post to all of these (`@respan/respan` posts `{base}/request-logs/create`).
 */
const ingestRoutes: Record<string, IngestKind | undefined> = {
  "/request-logs/create": "single",
  "/request-logs": "single",
  "/request-logs/batch": "batch",
  // Every trace-ingest route takes the same shapes (an array, {data: [...]}, {logs: [...]}).
  "/traces/ingest": "spans",
  "/v1/traces/ingest": "spans",
  "/integrations/v1/traces/ingest": "spans",
};

/** OTLP/HTTP trace export: the standard path and the two Respan's SDKs post to. */
const otlpRoutes = new Set(["/v1/traces", "/api/v1/traces", "/api/v2/traces"]);

/** Starts `keyway serve` in this process. */
export async function startKeywayServer(options: KeywayServerOptions = {}): Promise<KeywayServer> {
  const onError = options.onError ?? stderrWarner("keyway serve");
  const store =
    options.store ??
    (await openLogStore(options.dbPath ?? "./keyway.db", {
      queryTimeoutMs: options.queryTimeoutMs,
      onError,
    }));
  const maxBodyBytes = options.maxBodyBytes ?? 20 * 1024 * 1024;
  const ingestOptions = {
    maxStringChars: options.maxStringChars ?? 200_000,
    maxLogChars: options.maxLogChars ?? 2 * 1024 * 1024,
    ...(options.prices ? { prices: options.prices } : {}),
  };
  const sink = new StoreLogSink(store, ingestOptions, onError);
  const gateway = createGateway({
    onError,
    ...options.gateway,
    ...(options.prices ? { prices: options.prices } : {}),
    sink,
    maxBodyBytes,
  });
  const authorized = createAuthCheck(
    options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys : [DEFAULT_API_KEY],
  );
  const ingest = createIngestRoute(store, { ...ingestOptions, maxBodyBytes, onError });
  const decoder = new OtlpDecoder();
  const otlp = createOtlpRoute(store, {
    ...ingestOptions,
    maxBodyBytes,
    decoder,
    ...(options.maxOtlpSpans ? { maxSpans: options.maxOtlpSpans } : {}),
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://keyway.local");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (method === "GET" && (path === "/" || path.startsWith("/dashboard/"))) {
      const asset = await dashboardAsset(path);
      if (!asset) return sendJson(res, 404, { detail: "Not found.", code: "not_found" });
      res.writeHead(200, {
        "content-type": asset.type,
        "cache-control": "no-cache",
        ...dashboardSecurityHeaders,
      });
      res.end(asset.body);
      return;
    }
    if (method === "GET" && path === "/healthz") return sendJson(res, 200, { ok: true });
    if (!authorized(req, url))
      throw new HttpError(
        401,
        "unauthorized",
        "Authentication credentials were not provided or are not valid.",
      );

    if (method === "POST") {
      const route = path.replace(/\/+$/, "");
      const kind = ingestRoutes[route.replace(/^\/api(?=\/)/, "")];
      if (kind) return ingest(req, res, kind);
      if (otlpRoutes.has(route)) return otlp(req, res);
    }
    if (method === "GET") {
      if (path === "/api/request-logs/" || path === "/api/request-logs") {
        const limit = readLimit(url.searchParams, 50, 500);
        const cursor = url.searchParams.get("cursor") ?? undefined;
        const page = await store.list(readFilters(url.searchParams), {
          limit,
          ...(cursor ? { cursor } : {}),
        });
        return sendJson(res, 200, { results: page.logs, next_cursor: page.nextCursor ?? null });
      }
      const one = /^\/api\/request-logs\/([^/]+)\/?$/.exec(path);
      if (one) {
        const log = await store.get(decodeSegment(one[1] as string, "unique_id"));
        return log
          ? sendJson(res, 200, log)
          : sendJson(res, 404, { detail: "No log with that unique_id.", code: "not_found" });
      }
      if (path === "/api/traces/" || path === "/api/traces") {
        const { from, to, customer } = readFilters(url.searchParams);
        const cursor = url.searchParams.get("cursor") ?? undefined;
        const page = await store.traces(
          {
            ...(from !== undefined ? { from } : {}),
            ...(to !== undefined ? { to } : {}),
            ...(customer ? { customer } : {}),
          },
          { limit: readLimit(url.searchParams, 50, 500), ...(cursor ? { cursor } : {}) },
        );
        return sendJson(res, 200, { results: page.traces, next_cursor: page.nextCursor ?? null });
      }
      const trace = /^\/api\/traces\/([^/]+)\/?$/.exec(path);
      if (trace) {
        const detail = await store.trace(decodeSegment(trace[1] as string, "trace_unique_id"));
        return detail
          ? sendJson(res, 200, detail)
          : sendJson(res, 404, { detail: "No trace with that trace_unique_id.", code: "not_found" });
      }
      if (path === "/api/metrics/" || path === "/api/metrics") {
        const { groupBy, bucketMs } = readGrouping(url.searchParams);
        return sendJson(res, 200, {
          group_by: groupBy,
          ...(await store.metrics(readFilters(url.searchParams), groupBy, bucketMs)),
        });
      }
      if (path === "/api/gateway/keys/" || path === "/api/gateway/keys")
        return sendJson(res, 200, { keys: gateway.keyHealth() });
      if (path === "/api/gateway/usage/" || path === "/api/gateway/usage")
        return sendJson(res, 200, await gateway.usage());
    }
    // The gateway's routes (chat completions, models) under any prefix, answered in OpenAI's shapes.
    if (await serveGateway({ gateway, req, res, path, maxBodyBytes })) return;
    throw new HttpError(404, "not_found", `No route ${method} ${path}.`);
  }

  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    route(req, res).catch((error: unknown) => sendError(res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8787, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1"}:${port}`,
    port,
    store,
    gateway,
    server,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // A keep-alive client that keeps asking (an open dashboard polls) would hold the close forever: the
          // requests under way get a grace period, then every connection is closed.
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await gateway.close();
        await decoder.close();
        await sink.flush();
        await store.close();
      })();
      return closing;
    },
  };
}
