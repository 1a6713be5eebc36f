import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ProviderEmulator,
  startPostgres,
  startProviderEmulator,
  startWebhookReceiver,
  type TestPostgres,
  type WebhookReceiver,
  waitFor,
} from "@keyway/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decide } from "../src/alerts/alert-decision.js";
import { type AlertRule, checkAlertRules } from "../src/alerts/alert-rules.js";
import { resolveServeOptions } from "../src/config/server-config.js";
import { ServerEvents } from "../src/events/server-events.js";
import { type KeywayServer, type KeywayServerOptions, startKeywayServer } from "../src/keyway-server.js";

const KEY = "kw_alerts";
/** The webhook's secret part: it must never appear in an event line or an API answer. */
const SECRET = "T000-B000-hook-secret-xyz";

let postgres: TestPostgres;
let emulator: ProviderEmulator;
let receiver: WebhookReceiver;
const servers: KeywayServer[] = [];
const lines: string[] = [];

beforeAll(async () => {
  [postgres, emulator, receiver] = await Promise.all([
    startPostgres(),
    startProviderEmulator(),
    startWebhookReceiver(),
  ]);
}, 60_000);
afterAll(async () => {
  for (const server of servers) await server.close();
  await receiver?.close();
  await emulator?.close();
  await postgres?.stop();
});

const gateway = () => ({
  providers: { groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-alerts-pool" }] } },
  env: {},
  retry: { retries: 0, baseDelayMs: 1 },
});

async function start(options: KeywayServerOptions): Promise<KeywayServer> {
  const server = await startKeywayServer({
    port: 0,
    apiKeys: [KEY],
    alertIntervalMs: 100,
    allowedWebhookHosts: [receiver.host],
    events: new ServerEvents("json", (line) => lines.push(line)),
    gateway: gateway(),
    ...options,
  });
  servers.push(server);
  return server;
}

const client = (server: KeywayServer) =>
  new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
const ask = (server: KeywayServer, customer?: string) =>
  client(server)
    .chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "how are things" }],
      ...(customer ? { customer_identifier: customer } : {}),
    } as never)
    .then(
      () => "ok",
      (error: { status?: number }) => error.status ?? 0,
    );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const received = (path: string) =>
  receiver.bodies.filter((entry) => entry.path === path).map((entry) => entry.body);

describe("alerts", () => {
  it("a provider outage fires the error-rate alert once across two instances, then a resolved message", async () => {
    const rules: AlertRule[] = checkAlertRules([
      {
        name: "upstream errors",
        kind: "error_rate",
        threshold: 0.5,
        window_seconds: 60,
        min_requests: 3,
        webhook: { url: `${receiver.url}/json/${SECRET}` },
        min_interval_seconds: 60,
      },
      {
        name: "upstream errors (slack)",
        kind: "error_rate",
        threshold: 0.5,
        window_seconds: 60,
        min_requests: 3,
        webhook: { url: `${receiver.url}/slack/${SECRET}`, format: "slack" },
      },
    ]);
    const [one, two] = [
      await start({ dbPath: postgres.url, alerts: rules }),
      await start({ dbPath: postgres.url, alerts: rules }),
    ];
    emulator.fault({ status: 500 });
    for (const server of [one, two, one, two]) expect(await ask(server as KeywayServer)).toBe(500);
    await waitFor(
      () => received(`/json/${SECRET}`).length > 0 && received(`/slack/${SECRET}`).length > 0,
      10_000,
    );
    // Both instances keep evaluating: a second firing would arrive within a few ticks.
    await sleep(800);
    const [firing, ...more] = received(`/json/${SECRET}`);
    expect(more).toEqual([]);
    expect(firing).toEqual({
      alert: "upstream errors",
      state: "firing",
      value: 1,
      threshold: 0.5,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(received(`/slack/${SECRET}`)).toEqual([
      {
        text: ':rotating_light: *firing* Keyway alert "upstream errors (slack)": error rate 100%, threshold 50%',
      },
    ]);

    emulator.clearFaults();
    for (let call = 0; call < 8; call++)
      expect(await ask(call % 2 ? (one as KeywayServer) : (two as KeywayServer))).toBe("ok");
    await waitFor(
      () => received(`/json/${SECRET}`).length === 2 && received(`/slack/${SECRET}`).length === 2,
      10_000,
    );
    await sleep(500);
    // Resolved as soon as an evaluation sees the rate under the threshold (how many calls in depends on timing).
    const resolved = received(`/json/${SECRET}`)[1];
    expect(resolved).toMatchObject({ alert: "upstream errors", state: "resolved", threshold: 0.5 });
    expect(resolved?.value).toBeLessThan(0.5);
    expect(resolved?.value).toBeGreaterThanOrEqual(4 / 12);
    expect(received(`/slack/${SECRET}`)).toHaveLength(2);
    expect(received(`/slack/${SECRET}`)[1]?.text).toMatch(
      /^:white_check_mark: \*resolved\* Keyway alert "upstream errors \(slack\)": error rate (33\.3|36\.4|40|44\.4)%, threshold 50%$/,
    );

    // The dashboard's view: rules with their webhook's host only, state, last firings (newest first).
    const view = (await (
      await fetch(`${two?.url}/api/alerts`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as { rules: Record<string, unknown>[]; firings: Record<string, unknown>[] };
    expect(view.rules.map((rule) => [rule.name, rule.state, rule.webhook])).toEqual([
      ["upstream errors", "ok", { host: receiver.host, format: "json" }],
      ["upstream errors (slack)", "ok", { host: receiver.host, format: "slack" }],
    ]);
    expect(view.rules[0]?.last_fired_at).toEqual(expect.any(Number));
    expect(view.firings.map((firing) => [firing.alert, firing.state, firing.delivered])).toEqual(
      expect.arrayContaining([
        ["upstream errors", "resolved", true],
        ["upstream errors", "firing", true],
      ]),
    );
    expect(view.firings).toHaveLength(4);
    expect(JSON.stringify(view)).not.toContain(SECRET);

    // One JSON line per event, alerts among them, and the webhook's secret in none.
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((event) => event.event === "alert_firing").map((event) => event.alert)).toEqual([
      expect.stringMatching(/^upstream errors/),
      expect.stringMatching(/^upstream errors/),
    ]);
    expect(events.filter((event) => event.event === "alert_resolved")).toHaveLength(2);
    expect(events.every((event) => typeof event.time === "string" && typeof event.level === "string")).toBe(
      true,
    );
    expect(lines.join("\n")).not.toContain(SECRET);
  }, 60_000);

  it("a budget threshold fires once in its period, however much more is spent", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "keyway-alerts-")), "keyway.db");
    const budgets = { "team-b": { budget_duration: "daily" as const, period_budget: 1 } };
    const alerts = checkAlertRules(
      [
        {
          name: "team-b budget",
          kind: "budget",
          customer: "team-b",
          threshold: 0.5,
          min_interval_seconds: 0.001,
          webhook: { url: `${receiver.url}/budget` },
        },
      ],
      budgets,
    );
    const server = await start({
      dbPath: db,
      alerts,
      // $0.1 per output token: the emulator's replies cost a share of the $1 budget each.
      prices: { "groq/llama-3.1-8b-instant": { input: 0, output: 100_000 } },
      gateway: { ...gateway(), budgets },
    });
    const statuses: (string | number)[] = [];
    while (received("/budget").length === 0 && statuses.length < 20) {
      statuses.push(await ask(server, "team-b"));
      await sleep(300);
    }
    expect(received("/budget")).toHaveLength(1);
    // More spending in the same period, past the budget itself (refused), and many ticks: no second firing.
    for (let call = 0; call < 4; call++) statuses.push(await ask(server, "team-b"));
    await sleep(800);
    expect(statuses).toContain(429);
    const [firing, ...more] = received("/budget");
    expect(more).toEqual([]);
    expect(firing).toMatchObject({ alert: "team-b budget", state: "firing", threshold: 0.5 });
    expect(firing?.value).toBeGreaterThanOrEqual(0.5);
  }, 60_000);

  it("fires again only in the next period, after resolving when the period ends", () => {
    const [rule] = checkAlertRules(
      [
        {
          name: "b",
          kind: "budget",
          budget: { total_budget: 10 },
          threshold: 0.8,
          webhook: { url: "https://h.example/x" },
        },
      ],
      {},
    ) as [AlertRule];
    const day = (n: number) => `daily:${n}`;
    const first = decide(rule, undefined, { value: 0.9, period: day(1) }, 1_000);
    expect(first.send).toBe("firing");
    const still = decide(rule, first.next, { value: 1.2, period: day(1) }, 2_000);
    expect(still.send).toBeUndefined();
    // A reservation settling lower in the same period is no resolution.
    expect(decide(rule, still.next, { value: 0.5, period: day(1) }, 2_500)).toMatchObject({
      next: { state: "firing" },
    });
    expect(decide(rule, still.next, { value: 0.5, period: day(1) }, 2_500).send).toBeUndefined();
    const rolled = decide(rule, still.next, { value: 0.1, period: day(2) }, 3_000);
    expect(rolled.send).toBe("resolved");
    // Raised back over the threshold in the period it already fired in: silent; next period: fires.
    const lowered = decide(rule, { ...first.next, state: "ok" }, { value: 0.95, period: day(1) }, 400_000);
    expect(lowered.send).toBeUndefined();
    const next = decide(rule, rolled.next, { value: 0.85, period: day(2) }, 400_000);
    expect(next.send).toBe("firing");
    // Any other rule waits out min_interval_seconds between firings, then fires if the breach lasts.
    const [rate] = checkAlertRules(
      [
        {
          name: "r",
          kind: "error_rate",
          threshold: 0.5,
          min_interval_seconds: 60,
          webhook: { url: "https://h.example/x" },
        },
      ],
      {},
    ) as [AlertRule];
    const fired = decide(rate, undefined, { value: 1 }, 0);
    const resolved = decide(rate, fired.next, { value: 0 }, 10_000);
    expect([fired.send, resolved.send]).toEqual(["firing", "resolved"]);
    expect(decide(rate, resolved.next, { value: 1 }, 20_000).send).toBeUndefined();
    expect(decide(rate, resolved.next, { value: 1 }, 61_000).send).toBe("firing");
  });

  it("a webhook to an internal address is refused unless allow-listed, and the failure names no URL", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "keyway-alerts-")), "keyway.db");
    const alerts = checkAlertRules([
      {
        name: "to loopback",
        kind: "key_down",
        threshold: 1,
        webhook: { url: `https://127.0.0.1:1/${SECRET}` },
      },
      {
        name: "plain http",
        kind: "key_down",
        threshold: 1,
        webhook: { url: `http://hooks.example.com/${SECRET}` },
      },
    ]);
    const server = await start({ dbPath: db, alerts, allowedWebhookHosts: [] });
    emulator.fault({ status: 401, match: { apiKey: "gsk-alerts-pool" } });
    expect(await ask(server)).toBe(401);
    emulator.clearFaults();
    await waitFor(async () => {
      const view = (await (
        await fetch(`${server.url}/api/alerts`, { headers: { authorization: `Bearer ${KEY}` } })
      ).json()) as { firings: { alert: string }[] };
      return new Set(view.firings.map((firing) => firing.alert)).size === 2;
    }, 10_000);
    // Retried every evaluation, but the same failure is recorded (and logged) once.
    await sleep(600);
    const view = (await (
      await fetch(`${server.url}/api/alerts`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as { rules: { name: string; state: string }[]; firings: Record<string, unknown>[] };
    expect(view.firings.filter((firing) => firing.alert === "to loopback")).toHaveLength(1);
    const failures = lines.filter(
      (line) => line.includes('"alert_delivery_failed"') && line.includes("to loopback"),
    );
    expect(failures).toHaveLength(1);
    const byAlert = new Map(view.firings.map((firing) => [firing.alert, firing]));
    expect(byAlert.get("to loopback")).toMatchObject({
      state: "firing",
      value: 1,
      delivered: false,
      error: "the webhook's host is an internal address; allow it with allowedWebhookHosts",
    });
    expect(byAlert.get("plain http")).toMatchObject({
      delivered: false,
      error: "the webhook must be https (or its host:port in allowedWebhookHosts)",
    });
    // Not delivered: the rule stays where it was and is tried again.
    expect(view.rules.map((rule) => rule.state)).toEqual(["ok", "ok"]);
    expect(JSON.stringify(view) + lines.join("\n")).not.toContain(SECRET);
    expect(
      receiver.bodies.some((entry) => entry.path.includes(SECRET) && entry.path.includes("loopback")),
    ).toBe(false);
  }, 30_000);

  it("config: alerts and the log format are checked at start-up", () => {
    const dir = mkdtempSync(join(tmpdir(), "keyway-alerts-config-"));
    const write = (config: unknown) => {
      const file = join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(config));
      return file;
    };
    const refused = (config: unknown, env: Record<string, string> = {}) => {
      try {
        resolveServeOptions({ config: write(config) }, env);
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    const hook = { url: `https://hooks.slack.com/services/${SECRET}` };
    expect(refused({ alerts: [{ name: "a", kind: "errors", threshold: 1, webhook: hook }] })).toMatch(
      /alerts\[0\]\.kind must be one of error_rate, p95_latency, budget, key_down, ingest_rejected/,
    );
    expect(refused({ alerts: [{ name: "a", kind: "error_rate", threshold: 5, webhook: hook }] })).toMatch(
      /threshold is a share/,
    );
    expect(
      refused({ alerts: [{ name: "a", kind: "budget", customer: "x", threshold: 0.8, webhook: hook }] }),
    ).toMatch(/customer "x" has no budget/);
    const bad = refused({
      alerts: [{ name: "a", kind: "key_down", threshold: 1, webhook: { url: `ftp://${SECRET}` } }],
    });
    expect(bad).toMatch(/webhook\.url must be http\(s\)/);
    expect(bad).not.toContain(SECRET);
    // A misspelt field would silently change what the rule watches: refused, named.
    expect(
      refused({ alerts: [{ name: "a", kind: "key_down", threshold: 1, window: 60, webhook: hook }] }),
    ).toMatch(/^alerts\[0\]\.window is not a field of an alert rule/);
    expect(
      refused({
        alerts: [{ name: "a", kind: "key_down", threshold: 1, webhook: { ...hook, fmt: "slack" } }],
      }),
    ).toMatch(/alerts\[0\]\.webhook\.fmt is not a field of a webhook/);
    expect(refused({}, { KEYWAY_LOG_FORMAT: "xml" })).toMatch(/Log format must be text or json, got "xml"/);
    const options = resolveServeOptions(
      {
        config: write({
          alerts: [{ name: "a", kind: "p95_latency", threshold: 2, webhook: hook }],
          allowedWebhookHosts: ["alerts.internal:8080"],
        }),
        logFormat: "json",
      },
      {},
    );
    expect(options).toMatchObject({ logFormat: "json", allowedWebhookHosts: ["alerts.internal:8080"] });
    expect(options.alerts?.map((rule) => rule.name)).toEqual(["a"]);
  });
});
