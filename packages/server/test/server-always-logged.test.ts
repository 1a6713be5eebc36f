import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

interface StoredLog {
  unique_id: string;
  status: string;
  metadata?: Record<string, unknown> & { keyway_invalid_fields?: Record<string, string> };
  customer_identifier?: string;
  prompt_tokens?: number;
}

async function logs(): Promise<StoredLog[]> {
  const page = (await (await fx.call("/api/request-logs/?log_source=gateway&limit=200")).json()) as {
    results: StoredLog[];
  };
  return page.results;
}

/** The one log a call adds, once it is stored (the gateway logs after answering). */
async function nextLog(before: number): Promise<StoredLog> {
  for (let tries = 0; tries < 200; tries++) {
    const now = await logs();
    if (now.length > before) return now[0] as StoredLog;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the call was answered but never logged");
}

const probes: { name: string; body: Record<string, unknown>; field: string; reportedTokens?: number }[] = [
  {
    name: "a customer id over 1,000 characters",
    body: { customer_identifier: "c".repeat(1_001) },
    field: "customer_identifier",
  },
  {
    name: "a lone surrogate in the customer id",
    body: { customer_identifier: "bad\ud800id" },
    field: "customer_identifier",
  },
  {
    name: "customer_params.email: 5",
    body: { customer_params: { customer_identifier: "e", email: 5 } },
    field: "customer_params.email",
  },
  { name: "max_tokens: -1", body: { max_tokens: -1 }, field: "max_tokens" },
  { name: "temperature: 1001", body: { temperature: 1001 }, field: "temperature" },
  {
    name: "a custom id over 1,000 characters",
    body: { custom_identifier: "i".repeat(5_000) },
    field: "custom_identifier",
  },
  { name: "upstream usage of 1e300 tokens", body: {}, field: "prompt_tokens", reportedTokens: 1e300 },
];

describe("a call that was answered is always logged", () => {
  for (const probe of probes)
    it(`${probe.name}: answered, and logged with the value bounded and marked`, async () => {
      if (probe.reportedTokens !== undefined)
        fx.emulator.fault({ reportedTokens: probe.reportedTokens, times: 1 });
      const before = (await logs()).length;
      const response = await fx.call("/v1/chat/completions", {
        json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "probe" }], ...probe.body },
      });
      expect(response.status).toBe(200);
      const log = await nextLog(before);
      expect(log.status).toBe("success");
      // The field as the log names it (identity may sit under customer_params).
      const marked = Object.keys(log.metadata?.keyway_invalid_fields ?? {}).find(
        (name) => name === probe.field || name.endsWith(`.${probe.field}`),
      );
      expect(marked, JSON.stringify(log.metadata)).toBeDefined();
      const shown = log.metadata?.keyway_invalid_fields?.[marked as string] ?? "";
      expect(shown.length).toBeLessThanOrEqual(201);
      expect(shown.isWellFormed()).toBe(true);
      if (typeof log.customer_identifier === "string") {
        expect(log.customer_identifier.length).toBeLessThanOrEqual(1_000);
        expect(log.customer_identifier.isWellFormed()).toBe(true);
      }
    });
});
