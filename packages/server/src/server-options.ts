import type { Server } from "node:http";
import type { Gateway, GatewayConfig, ModelPrices } from "@keyway/core";
import type { AlertRule } from "./alerts/alert-rules.js";
import type { LogFormat, ServerEvents } from "./events/server-events.js";
import type { ConfiguredApiKey } from "./http/auth.js";
import type { LogStore } from "./store/log-store.js";

export interface KeywayServerOptions {
  port?: number;
  host?: string;
  /** A SQLite file (default `./keyway.db`) or a `postgres://` URL; ignored when `store` is given. */
  dbPath?: string;
  store?: LogStore;
  /**
   * Keys from config: each with every scope unless it names fewer (default `["kw_local"]`). Keys created through
   * `/api/api-keys/` are stored (as hashes) in the database and work beside these.
   */
  apiKeys?: (string | ConfiguredApiKey)[];
  /** The key ring of stored secrets (default env `KEYWAY_SECRET_KEY`; SQLite generates a key file without one). */
  secretKey?: string;
  /** How often another instance's settings changes are looked for besides Postgres `NOTIFY` (default 500 ms). */
  settingsPollMs?: number;
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
   * On close, how long `/readyz` answers not-ready while requests are still taken, so a load balancer stops
   * sending first (default 0; set it to the balancer's probe interval).
   */
  drainMs?: number;
  /**
   * Prometheus metrics at `GET /metrics` (a `read` key): on by default; `labels` opts in `customer` or
   * `metadata.<key>` labels; `false` turns them off.
   */
  metrics?: boolean | { labels?: string[] };
  /** Also serve `GET /metrics` without a key on this port (in-cluster scraping). */
  metricsPort?: number;
  /** Alert rules (checked by `checkAlertRules`), evaluated once across the instances on one database. */
  alerts?: AlertRule[];
  /** `host:port` entries an alert webhook may reach though they are internal addresses (or plain http). */
  allowedWebhookHosts?: string[];
  /** How often alert rules are evaluated (default 15 s). */
  alertIntervalMs?: number;
  /** How often the store and Redis are probed for the "lost" / "regained" events (default 5 s). */
  healthCheckMs?: number;
  /** The format of the default `events` (ignored when `events` is given). */
  logFormat?: LogFormat;
  /** Where the server's own events go (start, stop, settings changes, store lost, alerts): default text lines. */
  events?: ServerEvents;
  /**
   * Problems that do not fail a request: a write after a `block: false` answer, a gateway log the store could
   * not take. Default: a `warning` event (one line on stderr in text), at most one per 10 s.
   */
  onError?: (error: unknown) => void;
}

export interface KeywayServer {
  url: string;
  port: number;
  store: LogStore;
  /** The gateway in force (rebuilt when managed settings change). */
  readonly gateway: Gateway;
  server: Server;
  /** The server's event log: the CLI writes start and stop to it. */
  events: ServerEvents;
  /** The port of `--metrics-port`'s listener, when there is one. */
  metricsPort?: number;
  /** Stops accepting, lets in-flight requests finish, flushes writes, closes the database. */
  close(): Promise<void>;
}
