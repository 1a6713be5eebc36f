#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromiumLaunchOptions } from "@keyway/testing";
import { chromium } from "playwright-core";
import { DEMO_API_KEY, runDemo } from "./demo-run.js";

/**
 * `pnpm screenshots`: the README's pictures of the dashboard, taken from the demo's data in Debian's Chromium so
 * they stay current — the overview and a LangChain agent's trace. Writes docs/screenshots/*.png.
 */
const out = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
mkdirSync(out, { recursive: true });
const demo = await runDemo();
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${demo.server.url}/`);
  await page.fill("#api-key", DEMO_API_KEY);
  await page.click("#login-form button");
  await page.waitForSelector("#log-table tbody tr");
  await page.waitForFunction(() => /updated/.test(document.querySelector("#status")?.textContent ?? ""));
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}overview.png`, fullPage: false });

  await page.click("nav a[data-view=traces]");
  await page.click("#traces-table tbody tr:has-text('support-agent') >> nth=0");
  await page.waitForSelector("#view-trace:not([hidden]) #span-tree tbody tr");
  await page.click("#span-tree tbody tr:has-text('gpt-4o-mini') >> nth=0");
  await page.waitForSelector("#span-detail:not([hidden])");
  await page.screenshot({ path: `${out}trace.png`, fullPage: true });
  console.log(`wrote ${out}overview.png and ${out}trace.png`);
} finally {
  await browser.close();
  await demo.close();
}
