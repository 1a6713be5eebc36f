export { resolveServeOptions, type ServeFlags, type ServerConfigFile } from "./config/server-config.js";
export {
  DEFAULT_API_KEY,
  type KeywayServer,
  type KeywayServerOptions,
  startKeywayServer,
} from "./keyway-server.js";
export { isPostgresUrl, maskUrl } from "./store/db-url.js";
export type {
  InsertResult,
  LogFilters,
  LogPage,
  LogStore,
  MetricsGroup,
  MetricsRow,
  Percentiles,
} from "./store/log-store.js";
export { openLogStore } from "./store/open-log-store.js";
export { PostgresLogStore, type PostgresLogStoreOptions } from "./store/postgres-log-store.js";
export { SqliteLogStore } from "./store/sqlite-log-store.js";
export { StoreLogSink } from "./store/store-log-sink.js";
