import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, HttpLogSink } from "@keyway/core";
import { cloudModels, cloudProviders, freePort, startProviderEmulator } from "@keyway/testing";
import express from "express";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { keywayErrorHandler, keywayGateway } from "../src/index.js";

describe("the clouds through an Express mount", () => {
  it("answers every cloud under the mount; the logs it could not deliver are spooled, with no secret in them", async () => {
    const emulator = await startProviderEmulator();
    const cloud = cloudProviders(emulator);
    const spoolDir = mkdtempSync(join(tmpdir(), "keyway-cloud-spool-"));
    // The logging endpoint is down: every log goes to the spool on disk.
    const sink = new HttpLogSink({
      baseURL: `http://127.0.0.1:${await freePort()}`,
      apiKey: "kw-endpoint",
      spoolDir,
      replaySpool: false,
      maxRetries: 0,
      flushTimeoutMs: 1_000,
      shutdownTimeoutMs: 1_000,
    });
    const gateway = createGateway({ providers: cloud.providers, sink, env: {}, retry: { retries: 0 } });
    const app = express();
    app.use("/llm", keywayGateway({ gateway }), keywayErrorHandler());
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/llm/v1`;
      const client = new OpenAI({ apiKey: "app-user", baseURL: url, maxRetries: 0 });
      for (const model of cloudModels) {
        let text = "";
        for await (const chunk of await client.chat.completions.create({
          model,
          stream: true,
          messages: [{ role: "user", content: "express cloud" }],
        }))
          text += chunk.choices[0]?.delta.content ?? "";
        expect(text).toBe("Echo: express cloud");
      }
      await gateway.close();
      const spooled = readdirSync(spoolDir, { recursive: true })
        .map((name) => join(spoolDir, String(name)))
        .filter((path) => {
          try {
            return readFileSync(path).length > 0;
          } catch {
            return false;
          }
        })
        .map((path) => readFileSync(path, "utf8"))
        .join("\n");
      for (const model of cloudModels) expect(spooled).toContain(JSON.stringify(model));
      for (const secret of cloud.secrets())
        expect(spooled, `leaked ${secret.slice(0, 6)}…`).not.toContain(secret);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await emulator.close();
    }
  });
});
