import { chromiumLaunchOptions } from "@keyway/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_API_KEY, type DemoRun, runDemo } from "../src/demo-run.js";

let demo: DemoRun;
let browser: Browser;
beforeAll(async () => {
  demo = await runDemo();
  browser = await chromium.launch(chromiumLaunchOptions);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

const api = async <T>(path: string): Promise<T> =>
  (await (
    await fetch(`${demo.server.url}${path}`, { headers: { authorization: `Bearer ${DEMO_API_KEY}` } })
  ).json()) as T;

/** A logged-in page at `hash` (the login form keeps the URL, so a shared link opens what it names). */
async function open(hash = "#/", width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${demo.server.url}/${hash}`);
  await page.fill("#api-key", DEMO_API_KEY);
  await page.click("#login-form button");
  return page;
}

describe("the dashboard on the demo's data, in Chromium", () => {
  it("Traces tab → the LangChain agent's trace: its tree, the model calls nested under the chain", async () => {
    const page = await open();
    await page.click("nav a[data-view=traces]");
    await page.waitForSelector("#traces-table tbody tr >> text=support-agent");
    const customer = await page.textContent(
      "#traces-table tbody tr:has-text('support-agent') >> nth=0 >> td >> nth=2",
    );
    await page.click("#traces-table tbody tr >> text=support-agent >> nth=0");
    await page.waitForSelector("#view-trace:not([hidden]) #span-tree tbody tr");
    expect(page.url()).toMatch(/#\/traces\/[^/]+$/);
    const rows = await page.$$eval("#span-tree tbody tr", (trs) =>
      trs.map((tr) => ({
        name: tr.querySelector(".span-name")?.textContent ?? "",
        depth: Number((tr as HTMLElement).dataset.depth),
        parent: (tr as HTMLElement).dataset.parent,
        bar: (tr.querySelector(".bar") as HTMLElement | null)?.style.width ?? "",
      })),
    );
    expect(rows[0]).toMatchObject({ name: "support-agent", depth: 0, parent: "" });
    const modelCalls = rows.filter((row) => row.name.includes("gpt-4o-mini"));
    expect(modelCalls.length).toBe(2);
    for (const call of modelCalls) expect(call.depth).toBeGreaterThan(0);
    expect(rows.find((row) => row.name.includes("lookup_order"))?.depth).toBeGreaterThan(0);
    expect(rows.every((row) => row.bar.endsWith("%"))).toBe(true);
    // The selected span's input and output.
    await page.click("#span-tree tbody tr >> text=gpt-4o-mini >> nth=0");
    await page.waitForSelector("#span-detail:not([hidden])");
    expect(await page.textContent("#span-input")).not.toBe("");
    expect(["alice", "erin"]).toContain(customer);
    expect(await page.textContent("#trace-facts")).toContain(customer ?? "?");
    await page.close();
  });

  it("the customer page of alice shows her cost; the Customers tab sorts", async () => {
    const metrics = await api<{ summary: { cost: number; count: number } }>(
      `/api/metrics/?customer_identifier=alice&start_time=${Date.now() - 86_400_000}`,
    );
    expect(metrics.summary.cost).toBeGreaterThan(0);
    const page = await open("#/customers");
    await page.waitForSelector("#customers-table tbody tr[data-customer=alice]");
    const costs = async () =>
      page.$$eval("#customers-table tbody tr", (trs) =>
        trs.map((tr) => Number(tr.children[3]?.textContent?.slice(1))),
      );
    const byCost = await costs();
    expect(byCost).toEqual([...byCost].sort((a, b) => b - a));
    await page.click("#customers-table th[data-sort=cost]");
    const ascending = await costs();
    expect(ascending).toEqual([...byCost].sort((a, b) => a - b));
    await page.click("#customers-table tbody tr[data-customer=alice]");
    await page.waitForSelector("#view-customer:not([hidden]) [data-fact=cost]");
    expect(page.url()).toMatch(/#\/customers\/alice$/);
    expect(await page.textContent("#customer-title")).toBe("alice");
    expect(await page.textContent("[data-fact=cost] strong")).toBe(`$${metrics.summary.cost.toFixed(6)}`);
    expect(await page.textContent("[data-fact=requests] strong")).toBe(String(metrics.summary.count));
    await page.waitForSelector("#customer-traces tbody tr");
    expect(await page.locator("#customer-logs tbody tr").count()).toBeGreaterThan(0);
    await page.close();
  });

  it("opens a log's detail from the table and by its URL, rendered as a chat with a link to its trace", async () => {
    const page = await open();
    await page.waitForSelector("#log-table tbody tr");
    const id = await page.getAttribute("#log-table tbody tr >> nth=0", "data-id");
    await page.click("#log-table tbody tr >> nth=0");
    await page.waitForSelector("#detail:not([hidden])");
    expect(page.url()).toContain(`#/logs/${encodeURIComponent(id ?? "")}`);
    expect(await page.textContent("#detail-id")).toBe(id);
    expect(await page.locator("#detail-prompt .message").count()).toBeGreaterThan(0);
    await page.close();

    const shared = await open(`#/logs/${encodeURIComponent(id ?? "")}`);
    await shared.waitForSelector("#detail:not([hidden])");
    expect(await shared.textContent("#detail-id")).toBe(id);
    expect(await shared.textContent("#detail-json")).toContain(`"unique_id": "${id}"`);
    // A LangChain model call links to its trace.
    const inTrace = await api<{ results: { unique_id: string }[] }>(
      "/api/request-logs/?log_source=langchain&model_calls=true&limit=1",
    );
    await shared.goto(`${demo.server.url}/#/logs/${encodeURIComponent(inTrace.results[0]?.unique_id ?? "")}`);
    await shared.waitForSelector("#detail-trace:not([hidden])");
    await shared.click("#detail-trace");
    await shared.waitForSelector("#view-trace:not([hidden]) #span-tree tbody tr");
    await shared.close();
  });

  it("keeps filters in the URL and adds new logs live, without re-rendering the rows already shown", async () => {
    const page = await open("#/?customer_identifier=bob");
    await page.waitForSelector("#log-table tbody tr");
    expect(await page.inputValue("#filters input[name=customer_identifier]")).toBe("bob");
    const customers = await page.$$eval("#log-table tbody tr", (trs) =>
      trs.map((tr) => tr.children[2]?.textContent),
    );
    expect(new Set(customers)).toEqual(new Set(["bob"]));
    await page.evaluate(() => {
      (document.querySelector("#log-table tbody tr") as HTMLElement & { kept?: boolean }).kept = true;
    });
    const response = await fetch(`${demo.server.url}/api/request-logs/create/`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        unique_id: "live-1",
        model: "gpt-4o-mini",
        customer_identifier: "bob",
        prompt_messages: [{ role: "user", content: "arrived while watching" }],
      }),
    });
    expect(response.ok).toBe(true);
    await page.waitForSelector("#log-table tbody tr >> text=arrived while watching", { timeout: 10_000 });
    expect(await page.getAttribute("#log-table tbody tr >> nth=0", "data-id")).toBe("live-1");
    const kept = await page.$$eval("#log-table tbody tr", (trs) =>
      trs.some((tr) => (tr as HTMLElement & { kept?: boolean }).kept === true),
    );
    expect(kept).toBe(true);
    await page.close();
  });

  it("adds a new trace to the open Traces tab live and fills its row in as its root arrives", async () => {
    const page = await open("#/traces");
    await page.waitForSelector("#traces-table tbody tr");
    await page.evaluate(() => {
      (document.querySelector("#traces-table tbody tr") as HTMLElement & { kept?: boolean }).kept = true;
    });
    const post = (logs: unknown[]) =>
      fetch(`${demo.server.url}/api/request-logs/batch/`, {
        method: "POST",
        headers: { authorization: `Bearer ${DEMO_API_KEY}`, "content-type": "application/json" },
        body: JSON.stringify(logs),
      });
    // As LangChain logs them: the model call first, its chain (the root) when the chain ends.
    const call = {
      unique_id: "live-call",
      trace_unique_id: "live-trace",
      span_unique_id: "c",
      span_parent_id: "r",
      model: "gpt-4o-mini",
      customer_identifier: "zoe",
    };
    expect((await post([call])).ok).toBe(true);
    await page.waitForSelector("#traces-table tbody tr >> nth=0 >> text=(root not logged)", {
      timeout: 10_000,
    });
    await page.evaluate(() => {
      (document.querySelector("#traces-table tbody tr") as HTMLElement & { live?: boolean }).live = true;
    });
    const root = {
      unique_id: "live-root",
      trace_unique_id: "live-trace",
      span_unique_id: "r",
      span_name: "live-agent",
    };
    expect((await post([root])).ok).toBe(true);
    await page.waitForSelector("#traces-table tbody tr >> text=live-agent", { timeout: 10_000 });
    const rows = await page.$$eval("#traces-table tbody tr", (trs) =>
      trs.map((tr) => ({
        text: tr.textContent ?? "",
        kept: (tr as HTMLElement & { kept?: boolean }).kept === true,
        live: (tr as HTMLElement & { live?: boolean }).live === true,
      })),
    );
    // The same row, filled in; the rows that were there before, untouched.
    expect(rows[0]).toMatchObject({ live: true });
    expect(rows[0]?.text).toContain("live-agent");
    expect(rows[0]?.text).toContain("zoe");
    expect(rows.some((row) => row.kept)).toBe(true);
    await page.close();
  });

  it("has no horizontal scroll at 1280 and 390 px on every view", async () => {
    const traceId = (await api<{ results: { trace_unique_id: string }[] }>("/api/traces/?limit=1")).results[0]
      ?.trace_unique_id;
    const views = [
      "#/",
      "#/traces",
      `#/traces/${encodeURIComponent(traceId ?? "")}`,
      "#/customers",
      "#/customers/alice",
    ];
    const overflow: string[] = [];
    for (const width of [1280, 390]) {
      const page = await open(views[0], width);
      for (const view of views) {
        await page.goto(`${demo.server.url}/${view}`);
        await page.waitForFunction(() =>
          /updated/.test(document.querySelector("#status")?.textContent ?? ""),
        );
        await page.waitForTimeout(100);
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scroll > width) overflow.push(`${view} at ${width}: ${scroll}`);
      }
      await page.close();
    }
    expect(overflow).toEqual([]);
  });
});
