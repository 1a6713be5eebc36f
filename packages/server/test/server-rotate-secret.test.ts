import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type ProviderEmulator, startProviderEmulator } from "@keyway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFileOf } from "../src/secrets/master-key.js";
import { ADMIN_KEY, callJson, openaiClient, startPlatform } from "./platform-fixture.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const run = promisify(execFile);
let emulator: ProviderEmulator;
beforeAll(async () => {
  emulator = await startProviderEmulator();
});
afterAll(() => emulator?.close());

const rotate = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [cli, "rotate-secret", ...args], { env: { PATH: process.env.PATH ?? "", ...env } });
/** The key ids the stored secrets (credentials, webhook URLs) are sealed with, read from the database file itself. */
function sealedWith(dbPath: string): string[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db
      .prepare("SELECT doc FROM kw_settings WHERE kind IN ('provider_key', 'alert')")
      .all()
      .map((row) => (JSON.parse(row.doc as string) as { secret: string }).secret.split(".")[1] as string);
  } finally {
    db.close();
  }
}
async function addProvider(url: string, id: string, key: string) {
  const added = await callJson(url, ADMIN_KEY, "POST", "/api/providers/", {
    provider_id: id,
    provider_name: id,
    api_key: key,
    extra_kwargs: { base_url: `${emulator.url}/v1` },
  });
  expect(added.status).toBe(201);
  expect(
    (await callJson(url, ADMIN_KEY, "POST", "/api/models/", { model_id: `${id}-chat`, provider_id: id }))
      .status,
  ).toBe(201);
}
async function usesKey(url: string, model: string, key: string) {
  await openaiClient(url, ADMIN_KEY).chat.completions.create({
    model,
    messages: [{ role: "user", content: "x" }],
  });
  expect(emulator.requests.at(-1)?.apiKey).toBe(key);
}

describe("keyway rotate-secret", () => {
  it("with SQLite's key file: a new key, every secret sealed under it, the running instance serving throughout", async () => {
    const platform = await startPlatform({}, emulator);
    try {
      const { url } = platform.server;
      await addProvider(url, "before", "before-rotation-key");
      const [oldId] = sealedWith(platform.dbPath);
      const { stdout } = await rotate(["--db", platform.dbPath]);
      const newId = /sealed under key ([0-9a-f]+)/.exec(stdout)?.[1];
      expect(stdout).toContain("1 stored secret(s)");
      expect(newId).toBeDefined();
      expect(newId).not.toBe(oldId);
      expect(sealedWith(platform.dbPath)).toEqual([newId]);
      const file = keyFileOf(platform.dbPath);
      expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
      expect(statSync(file).mode & 0o777).toBe(0o600);

      // The running instance reads the rotated secrets, and seals new ones under the new key.
      await usesKey(url, "before-chat", "before-rotation-key");
      await addProvider(url, "after", "after-rotation-key");
      expect(sealedWith(platform.dbPath)).toEqual([newId, newId]);
      await usesKey(url, "after-chat", "after-rotation-key");
    } finally {
      await platform.close();
    }
    // A restart on the rotated file keeps every key working.
    const again = await startPlatform({ dbPath: platform.dbPath }, emulator);
    try {
      await usesKey(again.server.url, "before-chat", "before-rotation-key");
      await usesKey(again.server.url, "after-chat", "after-rotation-key");
    } finally {
      await again.close();
    }
  });

  it("with KEYWAY_SECRET_KEY: --new-key re-seals everything; the new key alone then works and the old alone no longer does", async () => {
    const oldKey = randomBytes(32).toString("base64");
    const newKey = randomBytes(32).toString("hex");
    const first = await startPlatform({ secretKey: oldKey }, emulator);
    await addProvider(first.server.url, "envkeyed", "env-keyed-secret");
    const alert = await callJson(first.server.url, ADMIN_KEY, "POST", "/api/alerts/", {
      name: "spend",
      kind: "key_down",
      threshold: 3,
      webhook: { url: "https://hooks.example.com/services/rotated-webhook-secret" },
    });
    expect(alert.status).toBe(201);
    await first.close();
    const { stdout } = await rotate(["--db", first.dbPath, "--new-key", newKey], {
      KEYWAY_SECRET_KEY: oldKey,
    });
    // The provider's key and the alert's webhook URL.
    expect(stdout).toContain("2 stored secret(s)");
    expect(stdout).toContain('KEYWAY_SECRET_KEY="<new key>,<old key>"');

    const rotated = await startPlatform({ dbPath: first.dbPath, secretKey: newKey }, emulator);
    try {
      await usesKey(rotated.server.url, "envkeyed-chat", "env-keyed-secret");
      const view = await callJson(rotated.server.url, ADMIN_KEY, "GET", `/api/alerts/${alert.body.id}`);
      expect(view.body).toMatchObject({ name: "spend", webhook: { host: "hooks.example.com" } });
      const audit = await callJson(rotated.server.url, ADMIN_KEY, "GET", "/api/audit-log/?limit=1");
      expect(audit.body.results?.[0]).toMatchObject({
        actor: "keyway rotate-secret",
        action: "secrets.rotate",
      });
    } finally {
      await rotated.close();
    }
    await expect(startPlatform({ dbPath: first.dbPath, secretKey: oldKey }, emulator)).rejects.toThrow(
      /encrypted with another key/,
    );
    // A wrong current key rotates nothing.
    await expect(
      rotate(["--db", first.dbPath, "--new-key", oldKey], {
        KEYWAY_SECRET_KEY: randomBytes(32).toString("base64"),
      }),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/encrypted with another key/) });
    expect(new Set(sealedWith(first.dbPath)).size).toBe(1);
  });
});
