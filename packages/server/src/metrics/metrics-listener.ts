import { createServer, type Server } from "node:http";
import { type GatewayMetrics, metricsHandler } from "@keyway/core";

/**
 * `--metrics-port`: a listener that answers only `GET /metrics`, without a key, for a scraper inside the cluster;
 * the main port keeps asking for a `read` key.
 */
export async function listenForScrapes(
  metrics: GatewayMetrics,
  port: number,
  host: string,
  /** Run before each scrape: the gateway's waiting logs written, so the store's counters include them. */
  beforeScrape: () => Promise<void> = async () => {},
): Promise<{ port: number; close(): Promise<void> }> {
  const scrape = metricsHandler(metrics);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://keyway.local").pathname.replace(/\/+$/, "");
    if (req.method === "GET" && path === "/metrics") {
      void beforeScrape().then(() => scrape(req, res));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ detail: "Only GET /metrics is served on the metrics port.", code: "not_found" }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
