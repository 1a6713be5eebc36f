import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// src/ and dist/ both sit one level below the package root, beside dashboard/.
const dashboardDir = fileURLToPath(new URL("../../dashboard/", import.meta.url));
const chartDir = dirname(createRequire(import.meta.url).resolve("chart.js"));

const files: Record<string, { file: string; type: string }> = {
  "/": { file: join(dashboardDir, "index.html"), type: "text/html; charset=utf-8" },
  ...Object.fromEntries(
    [
      "app",
      "api",
      "dom",
      "forms",
      "overview",
      "log-detail",
      "traces",
      "customers",
      "providers",
      "api-keys",
      "audit",
      "alerts",
      "alert-form",
    ].map((name) => [
      `/dashboard/${name}.js`,
      { file: join(dashboardDir, `${name}.js`), type: "text/javascript; charset=utf-8" },
    ]),
  ),
  "/dashboard/app.css": { file: join(dashboardDir, "app.css"), type: "text/css; charset=utf-8" },
  "/dashboard/chart.umd.min.js": {
    file: join(chartDir, "chart.umd.min.js"),
    type: "text/javascript; charset=utf-8",
  },
};
const cache = new Map<string, Buffer>();

/**
 * Sent with every dashboard file. The page loads only its own scripts and styles (no inline script, so none is
 * allowed: an injected one cannot run), talks only to this server, and may not be framed (clickjacking).
 */
export const dashboardSecurityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/** The dashboard's static files: served as they are from the installed package, no build step. */
export async function dashboardAsset(path: string): Promise<{ body: Buffer; type: string } | undefined> {
  const entry = files[path];
  if (!entry) return undefined;
  let body = cache.get(path);
  if (!body) {
    body = await readFile(entry.file);
    cache.set(path, body);
  }
  return { body, type: entry.type };
}
