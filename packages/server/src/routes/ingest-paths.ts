import type { IngestKind } from "./ingest.js";

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

/** What a request posts to, from its method and path without the trailing slash: logs of a kind, OTLP, or neither. */
export function ingestPathOf(method: string, trimmed: string): IngestKind | "otlp" | undefined {
  if (method !== "POST") return undefined;
  if (otlpRoutes.has(trimmed)) return "otlp";
  return ingestRoutes[trimmed.replace(/^\/api(?=\/)/, "")];
}
