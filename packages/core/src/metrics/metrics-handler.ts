import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayMetrics } from "./gateway-metrics.js";

/** A `node:http` handler (Express and Koa mount it too) answering a Prometheus scrape with the metrics' text. */
export function metricsHandler(
  metrics: Pick<GatewayMetrics, "text">,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    metrics.text().then(
      ({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  };
}
