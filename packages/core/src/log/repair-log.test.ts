import { describe, expect, it } from "vitest";
import { normalizeGatewayLog, normalizeLog } from "./normalize-log.js";
import { serializePreparedLog } from "./prepare-log.js";
import { repairLog } from "./repair-log.js";
import type { RequestLog } from "./request-log.js";

describe("repairLog", () => {
  it("returns a valid log as it was, not copied", () => {
    const log = { model: "gpt-4o-mini", prompt_tokens: 3, customer_identifier: "c" } as unknown as RequestLog;
    expect(repairLog(log)).toBe(log);
  });

  it("bounds and marks every field no store would take, and the result passes the schema", () => {
    const log = {
      model: "gpt-4o-mini",
      customer_identifier: `x${"\ud800"}${"y".repeat(2_000)}`,
      customer_params: { email: 5 },
      max_tokens: -1,
      temperature: 1001,
      prompt_tokens: 1e300,
      metadata: { kept: "yes" },
    } as unknown as RequestLog;
    const repaired = repairLog(log);
    expect(() => normalizeLog(repaired)).not.toThrow();
    const marks = (repaired.metadata as Record<string, Record<string, string>>).keyway_invalid_fields ?? {};
    expect(Object.keys(marks).sort()).toEqual(
      ["customer_identifier", "customer_params.email", "max_tokens", "prompt_tokens", "temperature"].sort(),
    );
    expect(marks.max_tokens).toBe("-1");
    expect(repaired.metadata?.kept).toBe("yes");
    expect(String(repaired.customer_identifier).isWellFormed()).toBe(true);
    expect(String(repaired.customer_identifier).length).toBeLessThanOrEqual(200);
    expect(repaired.max_tokens).toBeUndefined();
    // The caller's object is not changed.
    expect(log.max_tokens).toBe(-1);
  });

  it("normalizeGatewayLog: the schema run once gives what repairing, then normalizing gives", () => {
    const now = () => new Date("2026-12-04T10:00:00.000Z");
    const generateId = () => "id-1";
    const logs = [
      {
        model: "gpt-4o-mini",
        prompt_tokens: 3,
        completion_tokens: 4,
        customer_params: { customer_identifier: 42 },
      },
      {
        model: "gpt-4o-mini",
        customer_identifier: "y".repeat(2_000),
        temperature: 1001,
        metadata: { kept: "yes" },
        usage: { prompt_tokens: 1, completion_tokens: 2 },
      },
    ] as unknown as RequestLog[];
    for (const log of logs) {
      const once = normalizeGatewayLog(log, { now, generateId });
      expect(once).toEqual(normalizeLog(repairLog(log), { now, generateId }));
    }
    // A numeric identity id is stored as its text, as normalizeLog stores it.
    expect(normalizeGatewayLog(logs[0] as RequestLog).customer_params?.customer_identifier).toBe("42");
  });

  it("is applied to every log a sink serializes", () => {
    const json = serializePreparedLog({ model: "m", temperature: 5_000 } as unknown as RequestLog) as string;
    expect(JSON.parse(json).metadata.keyway_invalid_fields).toEqual({ temperature: "5000" });
  });
});
