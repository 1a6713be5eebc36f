import { chromiumLaunchOptions } from "@keyway/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, callJson, openaiClient, startPlatform } from "./platform-fixture.js";

let platform: Awaited<ReturnType<typeof startPlatform>>;
let browser: Browser;
beforeAll(async () => {
  platform = await startPlatform();
  browser = await chromium.launch(chromiumLaunchOptions);
});
afterAll(async () => {
  await browser?.close();
  await platform?.close();
});

/** A page logged in with `key`, collecting Content-Security-Policy violations and dialogs. */
async function open(key: string, hash: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on("dialog", (dialog) => {
    problems.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(platform.server.url);
  await page.fill("#api-key", key);
  await page.click("#login-form button");
  await page.waitForSelector("#app:not([hidden])");
  await page.goto(`${platform.server.url}/${hash}`);
  return { page, problems };
}
const usedKeys = async (model: string, n: number) => {
  const start = platform.emulator.requests.length;
  for (let index = 0; index < n; index++)
    await openaiClient(platform.server.url, ADMIN_KEY).chat.completions.create({
      model,
      messages: [{ role: "user", content: "hi" }],
    });
  return new Set(platform.emulator.requests.slice(start).map((request) => request.apiKey));
};

describe("the management pages in Chromium", () => {
  it("Providers: a custom provider, its model and a pasted key serve the next call; a key disabled there is not used", async () => {
    const { page, problems } = await open(ADMIN_KEY, "#/providers");
    await page.waitForSelector("#providers-table tbody tr[data-provider=groq]");

    await page.fill("#add-provider-form input[name=provider_id]", "dashco");
    await page.fill("#add-provider-form input[name=provider_name]", "Dash Co");
    await page.fill("#add-provider-form input[name=base_url]", `${platform.emulator.url}/v1`);
    await page.fill("#add-provider-form input[name=api_key]", "dash-secret-0001");
    await page.click("#add-provider-form button");
    await page.waitForSelector("#providers-table tbody tr[data-provider=dashco]");

    await page.fill("#add-model-form input[name=model_id]", "dash-chat");
    await page.selectOption("#add-model-form select[name=provider_id]", "dashco");
    await page.fill("#add-model-form input[name=input_price]", "1");
    await page.fill("#add-model-form input[name=output_price]", "2");
    await page.click("#add-model-form button");
    await page.waitForSelector("#managed-models tbody tr[data-model=dash-chat]");
    expect(await page.textContent("#managed-models tbody tr[data-model=dash-chat]")).toContain("$2");
    expect([...(await usedKeys("dash-chat", 1))]).toEqual(["dash-secret-0001"]);

    await page.selectOption("#add-key-form select[name=provider_id]", "groq");
    await page.fill("#add-key-form input[name=api_key]", "gsk-dash-0002");
    await page.fill("#add-key-form input[name=weight]", "5000");
    await page.click("#add-key-form button");
    const row = "#provider-keys tbody tr[data-provider=groq]:has-text('…0002')";
    await page.waitForSelector(row);
    expect(await usedKeys("groq/llama-3.1-8b-instant", 20)).toContain("gsk-dash-0002");

    // A weight typed in the table is saved; unticking Enabled takes the key out of the pool.
    await page.fill(`${row} input[type=number]`, "2");
    await page.dispatchEvent(`${row} input[type=number]`, "change");
    await page.waitForFunction(async () => {
      const key = sessionStorage.getItem("keyway.apiKey");
      const answer = await fetch("/api/providers/groq/", { headers: { authorization: `Bearer ${key}` } });
      const body = (await answer.json()) as { keys: { last4: string; weight: number }[] };
      return body.keys.some((entry) => entry.last4 === "0002" && entry.weight === 2);
    });
    await page.uncheck(`${row} input[type=checkbox]`);
    await page.waitForFunction(async () => {
      const key = sessionStorage.getItem("keyway.apiKey");
      const answer = await fetch("/api/providers/groq/", { headers: { authorization: `Bearer ${key}` } });
      const body = (await answer.json()) as { keys: { last4: string; enabled: boolean }[] };
      return body.keys.some((entry) => entry.last4 === "0002" && !entry.enabled);
    });
    expect(await usedKeys("groq/llama-3.1-8b-instant", 10)).toEqual(new Set(["gsk-config-key"]));

    // A bad value is said beside its form.
    await page.fill("#add-model-form input[name=model_id]", "half-priced");
    await page.fill("#add-model-form input[name=input_price]", "1");
    await page.click("#add-model-form button");
    await page.waitForSelector("#add-model-form .form-status.error:has-text('output_price')");

    const html = await page.content();
    for (const secret of ["dash-secret-0001", "gsk-dash-0002", "gsk-config-key"])
      expect(html).not.toContain(secret);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("API keys: created with a scope and shown once, revoked from the table; Audit lists who did it; a read key sees no settings", async () => {
    const { page, problems } = await open(ADMIN_KEY, "#/api-keys");
    await page.waitForSelector("#create-key-form");
    // Nothing to copy until a key is made.
    expect(await page.isVisible("#new-key")).toBe(false);
    await page.fill("#create-key-form input[name=name]", "dashboard reader");
    await page.check("#create-key-form input[value=read]");
    await page.fill("#create-key-form input[name=requests_per_minute]", "600");
    await page.click("#create-key-form button");
    await page.waitForSelector("#new-key:not([hidden])");
    const key = await page.inputValue("#new-key-value");
    expect(key).toMatch(/^kw-/);
    await page.waitForSelector("#api-keys-table tbody tr:has-text('dashboard reader')");
    const listed = await page.textContent("#api-keys-table tbody tr:has-text('dashboard reader')");
    expect(listed).toContain("read");
    expect(listed).toContain("600 req/min");
    expect(listed).toContain(key.slice(0, 10));
    expect(listed).not.toContain(key);
    await page.click("#dismiss-key");
    expect(await page.inputValue("#new-key-value")).toBe("");
    expect(await page.isVisible("#new-key")).toBe(false);
    expect((await callJson(platform.server.url, key, "GET", "/api/metrics/")).status).toBe(200);

    // The read key logs in and sees the logs, and is told it cannot manage settings.
    const reader = await open(key, "#/providers");
    await reader.page.waitForSelector("#view-providers .refused:not([hidden])");
    expect(await reader.page.textContent("#view-providers .refused")).toContain("cannot manage settings");
    expect(await reader.page.locator("#providers-table tbody tr").count()).toBe(0);
    await reader.page.close();

    await page.click("#api-keys-table tbody tr:has-text('dashboard reader') button:has-text('Revoke')");
    await page.waitForSelector(
      "#api-keys-table tbody tr:has-text('dashboard reader') td.bad:has-text('revoked')",
    );
    expect((await callJson(platform.server.url, key, "GET", "/api/metrics/")).status).toBe(401);

    await page.click("nav a[data-view=audit]");
    await page.waitForSelector("#audit-table tbody tr:has-text('api_key.revoke')");
    const rows = await page.locator("#audit-table tbody tr").allTextContents();
    expect(rows[0]).toContain("ops");
    expect(rows[0]).toContain("api_key.revoke");
    expect(rows[1]).toContain("api_key.create");
    expect(rows.join("\n")).not.toContain(key);
    expect(problems).toEqual([]);
    await page.close();
  });
});
