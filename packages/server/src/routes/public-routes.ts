import type { ServerResponse } from "node:http";
import type { Readiness } from "../http/readiness.js";
import { sendJson } from "../http/respond.js";
import { dashboardAsset, dashboardSecurityHeaders } from "./dashboard-assets.js";

/**
 * The routes anyone may read, without a key: the dashboard's files (it asks for the key itself), `/healthz`
 * (liveness) and `/readyz` (the store and Redis answer, not draining). True when it answered.
 */
export async function answerPublic(
  method: string,
  path: string,
  res: ServerResponse,
  readiness: Readiness,
): Promise<boolean> {
  if (method !== "GET") return false;
  if (path === "/" || path.startsWith("/dashboard/")) {
    const asset = await dashboardAsset(path);
    if (!asset) {
      sendJson(res, 404, { detail: "Not found.", code: "not_found" });
      return true;
    }
    res.writeHead(200, {
      "content-type": asset.type,
      "cache-control": "no-cache",
      ...dashboardSecurityHeaders,
    });
    res.end(asset.body);
    return true;
  }
  if (path === "/healthz") {
    sendJson(res, 200, { ok: true });
    return true;
  }
  if (path === "/readyz") {
    const report = await readiness.report();
    sendJson(res, report.ready ? 200 : 503, report, { "cache-control": "no-store" });
    return true;
  }
  return false;
}
