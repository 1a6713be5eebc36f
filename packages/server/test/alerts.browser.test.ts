import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  chromiumLaunchOptions,
  type ProviderEmulator,
  startProviderEmulator,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from "@keyway/testing";
import OpenAI from "openai";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAlertRules } from "../src/alerts/alert-rules.js";
import { ServerEvents } from "../src/events/server-events.js";
import { type KeywayServer, startKeywayServer } from "../src/keyway-server.js";

const KEY = "kw_alerts_dash";
const SECRET = "hook-secret-in-the-path";
let emulator: ProviderEmulator;
let receiver: WebhookReceiver;
let server: KeywayServer;
let browser: Browser;

beforeAll(async () => {
  [emulator, receiver] = await Promise.all([startProviderEmulator(), startWebhookReceiver()]);
  server = await startKeywayServer({
    port: 0,
    dbPath: join(mkdtempSync(join(tmpdir(), "keyway-alerts-dash-")), "keyway.db"),
    apiKeys: [KEY],
    alertIntervalMs: 100,
    allowedWebhookHosts: [receiver.host],
    events: new ServerEvents("json", () => {}),
    alerts: checkAlertRules([
      { name: "keys down", kind: "key_down", threshold: 1, webhook: { url: `${receiver.url}/${SECRET}` } },
      {
        name: "errors to nowhere",
        kind: "error_rate",
        threshold: 0.5,
        webhook: { url: `https://10.0.0.1/${SECRET}`, format: "slack" },
      },
    ]),
    gateway: {
      providers: { groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-dash-pool" }] } },
      env: {},
      retry: { retries: 0, baseDelayMs: 1 },
    },
  });
  browser = await chromium.launch(chromiumLaunchOptions);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.close();
  await emulator?.close();
});

describe("the dashboard's alerts", () => {
  it("shows each rule's state and value, and the last firings with why one was not delivered", async () => {
    emulator.fault({ status: 401 });
    const refused = await new OpenAI({
      apiKey: KEY,
      baseURL: `${server.url}/v1`,
      maxRetries: 0,
    }).chat.completions
      .create({ model: "groq/llama-3.1-8b-instant", messages: [{ role: "user", content: "hi" }] })
      .catch((error: { status?: number }) => error.status);
    expect(refused).toBe(401);
    await waitFor(() => receiver.received(`/${SECRET}`).length === 1, 10_000);

    const page = await browser.newPage();
    await page.goto(server.url);
    await page.fill("#api-key", KEY);
    await page.click("#login-form button");
    await page.click("nav a[data-view=alerts]");
    await page.waitForSelector("#alert-firings tbody tr:has-text('not delivered')");
    const rules = await page.locator("#alert-rules tbody tr").allTextContents();
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatch(/^keys downkey_downfiring11.+json → 127\.0\.0\.1:\d+config file$/);
    expect(rules[1]).toMatch(/^errors to nowhereerror_rateok100%50%—slack → 10\.0\.0\.1config file$/);
    expect(await page.locator("#alert-rules tbody tr.error").count()).toBe(1);
    const firings = await page.locator("#alert-firings tbody tr").allTextContents();
    expect(firings.some((row) => /keys downfiring1delivered$/.test(row))).toBe(true);
    expect(
      firings.some((row) =>
        row.includes("errors to nowherefiring100%not delivered: the webhook's host is an internal address"),
      ),
    ).toBe(true);
    expect(await page.content()).not.toContain(SECRET);
    await page.close();
  }, 60_000);

  it("adds a rule from the form, edits it (the URL kept), says a refusal beside the form, and deletes it", async () => {
    const page = await browser.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${server.url}/#/alerts`);
    await page.fill("#api-key", KEY);
    await page.click("#login-form button");
    await page.waitForSelector("#alert-rules tbody tr");
    const form = page.locator("#alert-form");

    // A share above 1 is refused by the server, its reason shown beside the form.
    await form.locator("[name=name]").fill("slow answers");
    await form.locator("[name=kind]").selectOption("error_rate");
    await form.locator("[name=threshold]").fill("3");
    await form.locator("[name=url]").fill(`${receiver.url}/form/${SECRET}`);
    await form.locator("button[type=submit]").click();
    await page.waitForSelector("#alert-form .form-status.error");
    expect(await form.locator(".form-status").textContent()).toBe(
      "threshold is a share (0–1) for error_rate.",
    );

    await form.locator("[name=kind]").selectOption("p95_latency");
    await form.locator("[name=window_seconds]").fill("120");
    await form.locator("button[type=submit]").click();
    await page.waitForSelector("#alert-rules tbody tr:has-text('slow answers')");
    const row = page.locator("#alert-rules tbody tr", { hasText: "slow answers" });
    expect(await row.textContent()).toMatch(
      /^slow answersp95_latencyok(—|[\d.]+ s)3 s—json → 127\.0\.0\.1:\d+EditDelete$/,
    );

    await row.locator("button", { hasText: "Edit" }).click();
    expect(await form.locator("[name=window_seconds]").inputValue()).toBe("120");
    expect(await form.locator("[name=url]").inputValue()).toBe("");
    await form.locator("[name=threshold]").fill("1.5");
    await form.locator("[name=window_seconds]").fill("");
    await form.locator("[name=format]").selectOption("slack");
    await form.locator("button[type=submit]").click();
    await page.waitForSelector("#alert-rules tbody tr:has-text('1.5 s')");
    expect(await row.textContent()).toMatch(
      /^slow answersp95_latencyok(—|[\d.]+ s)1\.5 s—slack → 127\.0\.0\.1:\d+EditDelete$/,
    );
    const stored = (await (
      await fetch(`${server.url}/api/alerts`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as { rules: { name: string; window_seconds?: number; webhook: unknown }[] };
    const edited = stored.rules.find((rule) => rule.name === "slow answers");
    expect(edited?.window_seconds).toBeUndefined();
    expect(edited?.webhook).toEqual({ host: receiver.host, format: "slack" });
    expect(await page.content()).not.toContain(SECRET);

    await row.locator("button", { hasText: "Delete" }).click();
    await page.waitForFunction(
      () => !document.querySelector("#alert-rules")?.textContent?.includes("slow answers"),
    );
    expect(await page.locator("#alert-rules tbody tr").count()).toBe(2);
    await page.close();
  }, 60_000);
});
