import { readFileSync } from "node:fs";
import {
  type ProviderEmulator,
  startProviderEmulator,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from "@keyway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAlertRules } from "../src/alerts/alert-rules.js";
import { ADMIN_KEY, callJson, openaiClient, startPlatform } from "./platform-fixture.js";

/** The webhook's secret part: never in an answer, the audit log, or the database file in plain text. */
const SECRET = "T000-B000-managed-hook-secret";
const READER = "kw_read_only_alerts";

let emulator: ProviderEmulator;
let receiver: WebhookReceiver;
beforeAll(async () => {
  [emulator, receiver] = await Promise.all([startProviderEmulator(), startWebhookReceiver()]);
});
afterAll(async () => {
  await receiver?.close();
  await emulator?.close();
});

const received = (path: string) =>
  receiver.bodies.filter((entry) => entry.path === path).map((entry) => entry.body);
const ask = (url: string) =>
  openaiClient(url, ADMIN_KEY)
    .chat.completions.create({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "status?" }],
    })
    .then(
      () => "ok",
      (error: { status?: number }) => error.status ?? 0,
    );

describe("alert rules managed through the admin API", () => {
  it("created, checked, sealed at rest, fired, edited and deleted; the config file's rules stay read-only", async () => {
    const configured = checkAlertRules([
      { name: "keys down", kind: "key_down", threshold: 5, webhook: { url: `${receiver.url}/config` } },
    ]);
    const platform = await startPlatform(
      {
        apiKeys: [
          { key: ADMIN_KEY, name: "ops" },
          { key: READER, name: "grafana", scopes: ["read"] },
        ],
        alerts: configured,
        alertIntervalMs: 100,
        allowedWebhookHosts: [receiver.host],
      },
      emulator,
    );
    try {
      const { url } = platform.server;
      const rule = {
        name: "managed errors",
        kind: "error_rate",
        threshold: 0.5,
        window_seconds: 60,
        min_requests: 2,
        webhook: { url: `${receiver.url}/managed/${SECRET}` },
      };

      // Managing rules is the admin scope's; a read key sees them.
      expect((await callJson(url, READER, "POST", "/api/alerts/", rule)).body).toMatchObject({
        code: "forbidden",
      });
      // Refusals name the field, as the config file's checks do.
      const refused = async (body: unknown) =>
        (await callJson(url, ADMIN_KEY, "POST", "/api/alerts/", body)).body;
      expect(await refused({ ...rule, windw_seconds: 5 })).toMatchObject({
        code: "invalid_request",
        field: "windw_seconds",
        detail: expect.stringMatching(/^windw_seconds is not a field of an alert rule/),
      });
      expect(await refused({ ...rule, threshold: 2 })).toMatchObject({
        code: "invalid_request",
        field: "threshold",
        detail: "threshold is a share (0–1) for error_rate.",
      });
      expect(await refused({ ...rule, kind: "budget" })).toMatchObject({ code: "invalid_request" });
      expect(await refused({ ...rule, name: "keys down" })).toMatchObject({ code: "alert_name_taken" });
      const internal = await refused({ ...rule, webhook: { url: "https://169.254.169.254/hook" } });
      expect(internal).toMatchObject({ code: "webhook_not_allowed" });
      expect(await refused({ ...rule, webhook: { url: "http://hooks.example.com/x" } })).toMatchObject({
        code: "webhook_not_allowed",
        detail: expect.stringContaining("must be https"),
      });

      const created = await callJson(url, ADMIN_KEY, "POST", "/api/alerts/", rule);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^al_/),
        name: "managed errors",
        source: "managed",
        webhook: { host: receiver.host, format: "json" },
      });
      expect(JSON.stringify(created.body)).not.toContain(SECRET);

      // It joins the running engine at once: an outage fires it.
      emulator.fault({ status: 500 });
      for (let call = 0; call < 3; call++) expect(await ask(url)).toBe(500);
      await waitFor(() => received(`/managed/${SECRET}`).length > 0, 10_000);
      expect(received(`/managed/${SECRET}`)[0]).toMatchObject({
        alert: "managed errors",
        state: "firing",
        value: 1,
        threshold: 0.5,
      });
      emulator.clearFaults();

      const view = await callJson(url, READER, "GET", "/api/alerts");
      const rules = view.body.rules as Record<string, unknown>[];
      expect(rules.map((entry) => [entry.name, entry.source, entry.state])).toEqual([
        ["keys down", "config", "ok"],
        ["managed errors", "managed", "firing"],
      ]);
      expect(JSON.stringify(view.body)).not.toContain(SECRET);

      // Edited: given fields replace, null clears, the stored URL stays unless a new one is given.
      const edited = await callJson(url, ADMIN_KEY, "PATCH", `/api/alerts/${id}/`, {
        threshold: 0.9,
        min_requests: null,
        webhook: { format: "slack" },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        threshold: 0.9,
        webhook: { host: receiver.host, format: "slack" },
      });
      expect(edited.body.min_requests).toBeUndefined();
      expect(
        (await callJson(url, ADMIN_KEY, "PATCH", `/api/alerts/${id}/`, { name: null })).body,
      ).toMatchObject({ code: "invalid_request", detail: "name cannot be cleared." });
      const one = await callJson(url, READER, "GET", `/api/alerts/${id}`);
      expect(one.body).toMatchObject({ id, threshold: 0.9, source: "managed" });

      // Sealed at rest: the database file (and its write-ahead log) never holds the URL in plain text.
      const files = [platform.dbPath, `${platform.dbPath}-wal`].map((file) => {
        try {
          return readFileSync(file, "latin1");
        } catch {
          return "";
        }
      });
      expect(files.join("")).toContain("managed errors");
      expect(files.join("")).not.toContain(SECRET);

      const audit = await callJson(url, ADMIN_KEY, "GET", "/api/audit-log/?limit=10");
      expect(audit.body.results?.map((entry) => entry.action)).toEqual(
        expect.arrayContaining(["alert.create", "alert.update"]),
      );
      expect(JSON.stringify(audit.body)).not.toContain(SECRET);

      expect((await callJson(url, ADMIN_KEY, "DELETE", `/api/alerts/${id}/`)).body).toEqual({
        id,
        deleted: true,
      });
      expect((await callJson(url, ADMIN_KEY, "DELETE", `/api/alerts/${id}/`)).status).toBe(404);
      const after = await callJson(url, READER, "GET", "/api/alerts");
      expect((after.body.rules as { name: string }[]).map((entry) => entry.name)).toEqual(["keys down"]);
    } finally {
      await platform.close();
    }
  });

  it("a managed rule survives a restart with its webhook opened again", async () => {
    const hosts = { allowedWebhookHosts: [receiver.host] };
    const first = await startPlatform(hosts, emulator);
    const created = await callJson(first.server.url, ADMIN_KEY, "POST", "/api/alerts/", {
      name: "after restart",
      kind: "error_rate",
      threshold: 0.5,
      webhook: { url: `${receiver.url}/restart/${SECRET}`, format: "slack" },
    });
    expect(created.status).toBe(201);
    await first.close();
    const again = await startPlatform({ dbPath: first.dbPath, alertIntervalMs: 100, ...hosts }, emulator);
    try {
      const view = await callJson(again.server.url, ADMIN_KEY, "GET", `/api/alerts/${created.body.id}`);
      expect(view.body).toMatchObject({ name: "after restart", webhook: { format: "slack" } });
      emulator.fault({ status: 500 });
      expect(await ask(again.server.url)).toBe(500);
      emulator.clearFaults();
      await waitFor(() => received(`/restart/${SECRET}`).length > 0, 10_000);
      expect(received(`/restart/${SECRET}`)[0]).toEqual({
        text: ':rotating_light: *firing* Keyway alert "after restart": error rate 100%, threshold 50%',
      });
    } finally {
      await again.close();
    }
  });
});
