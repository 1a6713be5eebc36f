import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  type ProviderEmulator,
  startPostgres,
  startProviderEmulator,
  type TestPostgres,
  waitFor,
} from "@keyway/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startKeywayServer } from "../src/keyway-server.js";
import { ADMIN_KEY, callJson, startPlatform } from "./platform-fixture.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const SECRET = randomBytes(32).toString("base64");
let postgres: TestPostgres;
let emulator: ProviderEmulator;
const children: ChildProcess[] = [];
beforeAll(async () => {
  [postgres, emulator] = await Promise.all([startPostgres(), startProviderEmulator()]);
}, 30_000);
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});
afterAll(async () => {
  await emulator?.close();
  await postgres?.stop();
});

/** The built `keyway serve` on `db` as its own process: its URL, or how it exited. */
function serve(db: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--db", db, "--api-key", ADMIN_KEY], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  children.push(child);
  return new Promise<{ url?: string; code?: number | null; stderr: string }>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (data: Buffer) => {
      stdout += data.toString();
      const match = /listening on (http:\/\/[\d.:]+)/.exec(stdout);
      if (match) resolve({ url: match[1] as string, stderr });
    });
    child.stderr?.on("data", (data: Buffer) => {
      stderr += data.toString();
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("the managed settings on Postgres, shared by instances", () => {
  it("a provider and key added on one instance serve the next call on another; a revoked API key is refused on both", async () => {
    const db = await postgres.createDatabase("platform_live");
    const a = await startPlatform({ dbPath: db, secretKey: SECRET }, emulator);
    const b = await serve(db, { KEYWAY_SECRET_KEY: SECRET });
    expect(b.url, b.stderr).toBeDefined();
    const onA = (method: string, path: string, body?: unknown) =>
      callJson(a.server.url, ADMIN_KEY, method, path, body);
    try {
      const secret = `acme-pg-${randomBytes(6).toString("hex")}`;
      expect(
        (
          await onA("POST", "/api/providers/", {
            provider_id: "acme",
            provider_name: "Acme",
            api_key: secret,
            extra_kwargs: { base_url: `${emulator.url}/v1` },
          })
        ).status,
      ).toBe(201);
      expect((await onA("POST", "/api/models/", { model_id: "acme-chat", provider_id: "acme" })).status).toBe(
        201,
      );
      const added = Date.now();
      // The other instance hears the change (NOTIFY) and routes the model with the stored key.
      const answer = await waitFor(async () => {
        const response = await callJson(b.url as string, ADMIN_KEY, "POST", "/v1/chat/completions", {
          model: "acme-chat",
          messages: [{ role: "user", content: "from b" }],
        });
        return response.status === 200 ? response : undefined;
      }, 2_000);
      expect(Date.now() - added).toBeLessThan(2_000);
      expect(answer.body.model).toBe("acme-chat");
      expect(emulator.requests.at(-1)).toMatchObject({ apiKey: secret, model: "acme-chat" });

      const key = (await onA("POST", "/api/api-keys/", { name: "shared reader", scopes: ["read"] })).body;
      await waitFor(
        async () =>
          (await callJson(b.url as string, key.key as string, "GET", "/api/metrics/")).status === 200,
        2_000,
      );
      expect((await onA("DELETE", `/api/api-keys/${key.id}/`)).status).toBe(200);
      const revoked = Date.now();
      expect((await callJson(a.server.url, key.key as string, "GET", "/api/metrics/")).status).toBe(401);
      await waitFor(
        async () =>
          (await callJson(b.url as string, key.key as string, "GET", "/api/metrics/")).status === 401,
        1_000,
      );
      expect(Date.now() - revoked).toBeLessThan(1_000);

      // A backup of the database holds the sealed value, never the key.
      const dump = postgres.dump("platform_live");
      expect(dump).toContain("kw_settings");
      expect(dump).toContain("kw1.");
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(key.key as string);
    } finally {
      await a.close();
    }
  });

  it("stored secrets and no KEYWAY_SECRET_KEY: the instance refuses to start, in one line", async () => {
    const db = await postgres.createDatabase("platform_nokey");
    const a = await startPlatform({ dbPath: db, secretKey: SECRET }, emulator);
    await callJson(a.server.url, ADMIN_KEY, "POST", "/api/providers/groq/keys/", { api_key: "gsk-sealed" });
    await a.close();
    const started = await serve(db, {});
    expect(started.code).toBe(1);
    expect(started.stderr.trim().split("\n")).toHaveLength(1);
    expect(started.stderr).toMatch(
      /^keyway: This database stores provider credentials and KEYWAY_SECRET_KEY is not set/,
    );
    const wrong = await serve(db, { KEYWAY_SECRET_KEY: randomBytes(32).toString("hex") });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/encrypted with another key/);
    expect(wrong.stderr).not.toContain("gsk-sealed");
  });

  it("with nothing stored and no key it serves, and storing a credential is refused with a clear 409", async () => {
    const db = await postgres.createDatabase("platform_fresh");
    const server = await startKeywayServer({ port: 0, dbPath: db, apiKeys: [ADMIN_KEY] });
    try {
      const refused = await callJson(server.url, ADMIN_KEY, "POST", "/api/providers/groq/keys/", {
        api_key: "k",
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: "secret_key_missing" });
      expect(refused.body.detail).toContain("KEYWAY_SECRET_KEY");
      // What holds no secret is still managed: API keys are hashes.
      expect(
        (await callJson(server.url, ADMIN_KEY, "POST", "/api/api-keys/", { name: "r", scopes: ["read"] }))
          .status,
      ).toBe(201);
    } finally {
      await server.close();
    }
  });
});
