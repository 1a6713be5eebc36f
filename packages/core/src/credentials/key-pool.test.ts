import { describe, expect, it } from "vitest";
import { fingerprintKey } from "./fingerprint.js";
import { KeyPool } from "./key-pool.js";

describe("KeyPool", () => {
  it("distributes 10,000 choices by weight (3:1) within statistical bounds", () => {
    const pool = new KeyPool("groq", [
      { apiKey: "a", weight: 3 },
      { apiKey: "b", weight: 1 },
    ]);
    let a = 0;
    for (let i = 0; i < 10_000; i++) if (pool.pick(Math.random)?.apiKey === "a") a++;
    // Expected 7,500; the standard deviation of a binomial(10,000, 0.75) is ~43, so ±5σ is ±217.
    expect(Math.abs(a - 7_500)).toBeLessThan(217);
  });

  it("cools a key down after 429 for its Retry-After, after 401, and after repeated 5xx", () => {
    let now = 1_000;
    const pool = new KeyPool(
      "groq",
      [{ apiKey: "a" }, { apiKey: "b" }],
      { rateLimitMs: 10_000, authMs: 60_000, serverErrorMs: 5_000, serverErrorThreshold: 2 },
      () => now,
    );
    const a = fingerprintKey("a");
    pool.report(a, 429, 2_000);
    expect(pool.health().find((key) => key.keyId === a)).toMatchObject({
      healthy: false,
      cooldownUntil: 3_000,
      lastStatus: 429,
    });
    for (let i = 0; i < 100; i++) expect(pool.pick(Math.random)?.apiKey).toBe("b");
    now = 3_000;
    expect(pool.health().find((key) => key.keyId === a)?.healthy).toBe(true);
    pool.report(a, 401);
    now = 50_000;
    expect(pool.health().find((key) => key.keyId === a)?.healthy).toBe(false);
    now = 70_000;
    pool.report(a, 500);
    expect(pool.health().find((key) => key.keyId === a)?.healthy).toBe(true);
    pool.report(a, 503);
    expect(pool.health().find((key) => key.keyId === a)?.healthy).toBe(false);
    pool.report(a, 200);
    expect(pool.health().find((key) => key.keyId === a)).toMatchObject({
      healthy: true,
      consecutiveFailures: 0,
      requests: 5,
      failures: 4,
    });
  });

  it("prefers keys not yet tried in the call, and the soonest to recover when all cool down", () => {
    let now = 0;
    const pool = new KeyPool("groq", [{ apiKey: "a" }, { apiKey: "b" }], undefined, () => now);
    expect(pool.pick(Math.random, new Set([fingerprintKey("a")]))?.apiKey).toBe("b");
    pool.report(fingerprintKey("a"), 429, 5_000);
    pool.report(fingerprintKey("b"), 429, 1_000);
    expect(pool.pick(Math.random)?.apiKey).toBe("b");
    now = 10;
    expect(pool.health().map((key) => key.keyId)).toEqual([fingerprintKey("a"), fingerprintKey("b")]);
    expect(JSON.stringify(pool.health())).not.toMatch(/"a"|"b"/);
  });
});
