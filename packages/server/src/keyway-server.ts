import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DEFAULT_LOCAL_API_KEY,
  type Gateway,
  type GatewayConfig,
  type ModelPrices,
  metricsHandler,
  readJsonBody,
  serveGateway,
} from "@keyway/core";
import { AlertEngine } from "./alerts/alert-engine.js";
import { openAlertStore } from "./alerts/open-alert-store.js";
import { ServerEvents } from "./events/server-events.js";
import { type ConfiguredApiKey, createAuthenticator } from "./http/auth.js";
import { HttpError } from "./http/http-error.js";
import { Readiness } from "./http/readiness.js";
import { sendError, sendJson } from "./http/respond.js";
import { requireScope, scopesOf } from "./http/route-scopes.js";
import { answerMcp } from "./mcp/mcp-http.js";
import { localQuerySource } from "./mcp/query-source.js";
import { listenForScrapes } from "./metrics/metrics-listener.js";
import { ServerMetrics, storeWriter, type WriteRoute } from "./metrics/server-metrics.js";
import { OtlpDecoder } from "./otlp/otlp-decoder.js";
import { answerAdmin } from "./routes/admin/admin-routes.js";
import { alertsView } from "./routes/admin/alerts-api.js";
import { answerModelList } from "./routes/admin/models-api.js";
import { createIngestRoute } from "./routes/ingest.js";
import { ingestPathOf } from "./routes/ingest-paths.js";
import { createOtlpRoute } from "./routes/otlp-ingest.js";
import { answerPublic } from "./routes/public-routes.js";
import { answerQuery } from "./routes/query-api.js";
import type { KeywayServer, KeywayServerOptions } from "./server-options.js";
import { gatewayPrices } from "./settings/gateway-providers.js";
import { LiveGateway } from "./settings/live-gateway.js";
import { openSettings } from "./settings/open-settings.js";
import { openLogStore } from "./store/open-log-store.js";
import { StoreLogSink } from "./store/store-log-sink.js";

export type { KeywayServer, KeywayServerOptions } from "./server-options.js";

/** The key `keyway serve` and the doors' default sink share when none is configured (loopback only). */
export const DEFAULT_API_KEY = DEFAULT_LOCAL_API_KEY;

/** Starts `keyway serve` in this process. */
export async function startKeywayServer(options: KeywayServerOptions = {}): Promise<KeywayServer> {
  const events = options.events ?? new ServerEvents(options.logFormat);
  const onError = options.onError ?? events.warner();
  const db = options.dbPath ?? (options.store ? ":memory:" : "./keyway.db");
  const store =
    options.store ?? (await openLogStore(db, { queryTimeoutMs: options.queryTimeoutMs, onError }));
  let settings: Awaited<ReturnType<typeof openSettings>>;
  try {
    settings = await openSettings(db, {
      secretKey: options.secretKey,
      pollMs: options.settingsPollMs,
      onError,
    });
  } catch (error) {
    if (!options.store) await store.close();
    throw error;
  }
  const maxBodyBytes = options.maxBodyBytes ?? 20 * 1024 * 1024;
  const fileConfig = options.gateway ?? {};
  const configuredPrices = options.prices ?? fileConfig.prices;
  // Managed models' prices join the config's, for the gateway and for logs posted without a cost.
  let prices = gatewayPrices(configuredPrices, settings.current);
  const decoder = new OtlpDecoder();
  // One options object (read at each use), so a price change reaches every route.
  const ingestOptions = {
    maxStringChars: options.maxStringChars ?? 200_000,
    maxLogChars: options.maxLogChars ?? 2 * 1024 * 1024,
    maxBodyBytes,
    onError,
    decoder,
    ...(options.maxOtlpSpans ? { maxSpans: options.maxOtlpSpans } : {}),
    get prices() {
      return prices;
    },
  };
  const metrics =
    options.metrics === false
      ? undefined
      : new ServerMetrics(typeof options.metrics === "object" ? options.metrics : {});
  const configuredAlerts = options.alerts ?? [];
  const alerts = new AlertEngine([...configuredAlerts, ...settings.current.alertRules()], {
    store: await openAlertStore(db, onError),
    logs: store,
    gateway: () => live.current,
    events,
    onError,
    ...(options.allowedWebhookHosts ? { allowedWebhookHosts: options.allowedWebhookHosts } : {}),
    ...(options.alertIntervalMs ? { intervalMs: options.alertIntervalMs } : {}),
  });
  // Ingest's rejections reach the alerts whether or not metrics are on.
  const rejected = (count: number) => alerts.watch.rejected(count);
  const writer = (route: WriteRoute) =>
    metrics ? metrics.writer(store, route, rejected) : storeWriter(store, rejected);
  const sink = new StoreLogSink(writer("gateway"), ingestOptions, onError);
  const live = new LiveGateway(
    {
      onError,
      ...fileConfig,
      ...(configuredPrices ? { prices: configuredPrices } : {}),
      sink,
      maxBodyBytes,
      ...(metrics ? { metrics: metrics.gateway } : {}),
    },
    settings.current,
  );
  settings.onUpdate((managed) => {
    try {
      live.update(managed);
      prices = gatewayPrices(configuredPrices, managed);
      alerts.setRules([...configuredAlerts, ...managed.alertRules()]);
      events.emit("config_change", "keyway serve: managed settings changed; the gateway was rebuilt", {
        version: managed.version,
        providers: managed.providers.size,
        models: managed.models.size,
        api_keys: managed.apiKeys.size,
        alerts: managed.alerts.size,
      });
    } catch (error) {
      onError(error);
    }
  });
  const configured = (
    options.apiKeys && options.apiKeys.length > 0 ? options.apiKeys : [DEFAULT_API_KEY]
  ).map((entry) => (typeof entry === "string" ? { key: entry } : entry));
  const authenticate = createAuthenticator(configured, () => settings.current);
  const ingest = createIngestRoute(
    { single: writer("single"), batch: writer("batch"), spans: writer("spans") },
    ingestOptions,
  );
  const otlp = createOtlpRoute(writer("otlp"), ingestOptions);
  const scrape = metrics ? metricsHandler(metrics.gateway) : undefined;
  const adminBase = {
    settings,
    registry: () => live.current.providers,
    fileProviders: fileConfig.providers ?? {},
    env: fileConfig.env ?? process.env,
    alerts: {
      configured: configuredAlerts,
      budgets: fileConfig.budgets ?? {},
      allowedWebhookHosts: options.allowedWebhookHosts ?? [],
    },
  };

  const mcpSource = localQuerySource(store, () => live.current);
  const readiness = new Readiness(store, () => live.sharedState);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://keyway.local");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (await answerPublic(method, path, res, readiness)) return;
    const caller = authenticate(req, url);
    if (!caller)
      throw new HttpError(
        401,
        "unauthorized",
        "Authentication credentials were not provided or are not valid.",
      );

    const trimmed = path.replace(/\/+$/, "");
    const posted = ingestPathOf(method, trimmed);
    const needed = scopesOf(method, path, posted !== undefined);
    requireScope(caller.scopes, needed, `${method} ${path}`);
    // Read your writes: the gateway's logs wait a moment to be written together; a read writes them first.
    if (needed.includes("read")) await sink.flush();
    if (posted === "otlp") return otlp(req, res);
    if (posted) return ingest(req, res, posted);
    if (trimmed === "/mcp") return answerMcp(req, res, mcpSource);
    if (method === "GET" && trimmed === "/metrics" && scrape) return scrape(req, res);
    const alertsAnswer = method === "GET" ? await alertsView(trimmed, alerts) : undefined;
    if (alertsAnswer) return sendJson(res, alertsAnswer.status, alertsAnswer.body);

    // Only the routes an admin may use are management routes: the gateway's path skips them.
    if (needed.includes("admin")) {
      const admin = await answerAdmin(method, url, () => readJsonBody(req, 1024 * 1024), {
        ...adminBase,
        caller,
      });
      if (admin) return sendJson(res, admin.status, admin.body);
    }
    const gateway = live.current;
    if (method === "GET") {
      const models = answerModelList(path, gateway, settings.current, prices);
      if (models) return sendJson(res, 200, models);
      const answer = await answerQuery(url, store, gateway);
      if (answer) return sendJson(res, answer.status, answer.body);
    }
    // The gateway's routes (chat completions, models) under any prefix, answered in OpenAI's shapes.
    const limits = caller.limits ? { callerLimits: caller.limits } : {};
    if (await serveGateway({ gateway, req, res, path, maxBodyBytes, ...limits })) return;
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
  const scrapes =
    metrics && options.metricsPort !== undefined
      ? await listenForScrapes(metrics.gateway, options.metricsPort, options.host ?? "127.0.0.1", () =>
          sink.flush(),
        ).catch((error: unknown) => {
          // The metrics port taken: the server does not run half-configured.
          server.close();
          throw error;
        })
      : undefined;
  alerts.start();
  readiness.watch(options.healthCheckMs ?? 5_000, (check, state) => events.health(check, state));
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1"}:${port}`,
    port,
    store,
    get gateway() {
      return live.current;
    },
    server,
    events,
    ...(scrapes ? { metricsPort: scrapes.port } : {}),
    close() {
      closing ??= (async () => {
        readiness.drain();
        readiness.stop();
        if (options.drainMs) await new Promise((resolve) => setTimeout(resolve, options.drainMs));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // A keep-alive client that keeps asking (an open dashboard polls) would hold the close forever: the
          // requests under way get a grace period, then every connection is closed.
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await scrapes?.close();
        await alerts.close();
        await live.close();
        await settings.close();
        await decoder.close();
        await sink.flush();
        await store.close();
      })();
      return closing;
    },
  };
}
