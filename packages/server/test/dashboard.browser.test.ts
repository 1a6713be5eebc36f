import { chromiumLaunchOptions } from "@keyway/testing";
import OpenAI from "openai";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
let browser: Browser;
beforeAll(async () => {
  fx = await serverFixture();
  browser = await chromium.launch(chromiumLaunchOptions);
});
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

describe("dashboard in a real browser", () => {
  it("logs in, shows logs just ingested, filters them and opens one", async () => {
    const customers = ["alice", "bob", "carol"];
    const response = await fx.call("/api/request-logs/batch/", {
      json: customers.map((customer, i) => ({
        unique_id: `dash-${customer}`,
        model: i === 2 ? "claude-sonnet-4-5" : "gpt-4o-mini",
        customer_identifier: customer,
        prompt_messages: [{ role: "user", content: `Hello from ${customer} <script>alert(1)</script>` }],
        completion_message: { role: "assistant", content: `Hi ${customer}` },
        prompt_tokens: 10 * (i + 1),
        completion_tokens: 5,
        latency: 0.2 * (i + 1),
        metadata: { api_key: "sk-should-never-show" },
      })),
    });
    expect(response.status).toBe(200);

    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Everything the page does must fit its Content-Security-Policy: a violation is reported on the console.
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const home = await page.goto(fx.server.url);
    const headers = home?.headers() ?? {};
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).toContain("script-src 'self'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    await page.fill("#api-key", "wrong-key");
    await page.click("#login-form button");
    await page.waitForSelector("#login-error:has-text('not accepted')");

    await page.fill("#api-key", API_KEY);
    await page.click("#login-form button");
    await page.waitForSelector("#log-table tbody tr >> nth=2");
    expect(await page.locator("#log-table tbody tr").count()).toBe(3);
    // The headline numbers come from their own request, which may answer after the table's.
    await page.waitForFunction(() => document.querySelector("#h-requests")?.textContent === "3");
    expect(await page.locator("#log-table tbody tr").first().textContent()).toContain("carol");
    expect(await page.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe(
      "function",
    );

    await page.fill("#filters input[name=customer_identifier]", "bob");
    await page.click("#filters button");
    await page.waitForFunction(() => document.querySelectorAll("#log-table tbody tr").length === 1);
    expect(await page.locator("#log-table tbody tr").textContent()).toContain("bob");

    await page.click("#log-table tbody tr");
    await page.waitForSelector("#detail:not([hidden])");
    expect(await page.textContent("#detail-prompt")).toContain("Hello from bob <script>alert(1)</script>");
    expect(await page.textContent("#detail-completion")).toContain("Hi bob");
    const everything = await page.textContent("#detail-json");
    expect(everything).toContain('"unique_id": "dash-bob"');
    expect(await page.content()).not.toContain("sk-should-never-show");
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
    // An inline script (what an injection would be) does not run under the page's policy.
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.append(script);
    });
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBe(
      undefined,
    );
    await expect.poll(() => violations.length).toBe(1);
  });

  it("shows each budgeted customer's spend against its budget, and the cache hit rate", async () => {
    const governed = await serverFixture({
      budgets: {
        "team-a": { total_budget: 0.0000001 },
        "team-b": { budget_duration: "monthly", period_budget: 5 },
      },
    });
    try {
      const client = new OpenAI({ apiKey: API_KEY, baseURL: `${governed.server.url}/v1`, maxRetries: 0 });
      const ask = (extra: Record<string, unknown>) =>
        client.chat.completions.create({
          model: "groq/llama-3.1-8b-instant",
          messages: [{ role: "user", content: "budgeted" }],
          ...extra,
        } as never);
      await ask({ customer_identifier: "team-a" });
      await ask({ customer_identifier: "team-b" });
      for (let i = 0; i < 4; i++) await ask({ cache_enabled: true }); // 1 miss, 3 hits
      const page = await browser.newPage();
      await page.goto(governed.server.url);
      await page.fill("#api-key", API_KEY);
      await page.click("#login-form button");
      await page.waitForSelector("#budgets tbody tr >> nth=1", { timeout: 8_000 });
      const rows = await page.locator("#budgets tbody tr").allTextContents();
      expect(rows[0]).toMatch(/^team-a–.*\$0\.000000 \/ \$0\.000000\d+ %$/);
      expect(await page.locator("#budgets tbody tr").first().getAttribute("class")).toBe("error");
      expect(rows[1]).toMatch(/^team-bmonthly\$0\.\d+ \/ \$5\.00\$0\.\d+0 %$/);
      // Waits for the figure, then says what it was if it is wrong (a bare wait would only time out).
      await page.waitForFunction(() => document.querySelector("#h-cache")?.textContent !== "–", null, {
        timeout: 8_000,
      });
      expect(await page.getAttribute("#h-cache", "title")).toBe("3 hits, 1 misses");
      expect(await page.textContent("#h-cache")).toBe("75.0 %");
      await page.close();
    } finally {
      await governed.close();
    }
  });

  it("has no horizontal scroll at 1280 and at 390 px wide", async () => {
    const widths: Record<number, number> = {};
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(fx.server.url);
      await page.fill("#api-key", API_KEY);
      await page.click("#login-form button");
      await page.waitForSelector("#log-table tbody tr");
      widths[width] = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.close();
    }
    expect(widths).toEqual({ 1280: 1280, 390: 390 });
  });

  it("lists model calls by default, and every span with the toggle", async () => {
    const response = await fx.call("/api/request-logs/batch/", {
      json: [
        { unique_id: "dash-chain", trace_unique_id: "t-dave", span_name: "AgentExecutor", log_type: "chain" },
        {
          unique_id: "dash-call",
          trace_unique_id: "t-dave",
          model: "gpt-4o-mini",
          customer_identifier: "dave",
          prompt_messages: [{ role: "user", content: "inside the chain" }],
        },
      ],
    });
    expect(response.status).toBe(200);
    const page = await browser.newPage();
    await page.goto(fx.server.url);
    await page.fill("#api-key", API_KEY);
    await page.click("#login-form button");
    await page.waitForSelector("#log-table tbody tr >> text=inside the chain");
    const rows = () => page.locator("#log-table tbody tr").allTextContents();
    expect((await rows()).some((row) => row.includes("AgentExecutor") || row.includes("dash-chain"))).toBe(
      false,
    );
    const modelCalls = (await rows()).length;
    await page.check("#filters input[name=all_spans]");
    await page.waitForFunction(
      (count) => document.querySelectorAll("#log-table tbody tr").length === count + 1,
      modelCalls,
    );
    await page.close();
  });
  it("at 1400 px shows the key-health table whole, says how to set a budget when none is, and no model bar for spans", async () => {
    const response = await fx.call("/api/request-logs/batch/", {
      json: [
        {
          unique_id: "bar-chain",
          trace_unique_id: "t-bar",
          span_name: "RunnableSequence",
          log_type: "chain",
          cost: 0.5,
        },
        { unique_id: "bar-call", trace_unique_id: "t-bar", model: "gpt-4o-mini", cost: 0.25 },
      ],
    });
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(fx.server.url);
    await page.fill("#api-key", API_KEY);
    await page.click("#login-form button");
    await page.waitForSelector("#keys tbody tr");
    const box = await page.evaluate(() => {
      const scroll = document.querySelector("#keys")?.parentElement as HTMLElement;
      return { scrollWidth: scroll.scrollWidth, clientWidth: scroll.clientWidth };
    });
    expect(box.scrollWidth).toBeLessThanOrEqual(box.clientWidth);
    await page.waitForSelector("#budgets-empty:not([hidden])");
    expect(await page.isHidden("#budgets")).toBe(true);
    expect(await page.textContent("#budgets-empty")).toContain('"budgets"');
    await page.waitForFunction(() => {
      const chart = (
        window as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[] } } | undefined } }
      ).Chart.getChart("chart-model");
      return (chart?.data.labels.length ?? 0) > 0;
    });
    const labels = await page.evaluate(
      () =>
        (
          window as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[] } } } }
        ).Chart.getChart("chart-model").data.labels,
    );
    expect(labels).toContain("gpt-4o-mini");
    expect(labels).not.toContain("(none)");
    expect(labels).not.toContain(null);
    await page.close();
  });
});
