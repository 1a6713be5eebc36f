import { describe, expect, it } from "vitest";
import { memoryGatewayState } from "./gateway-state.js";

describe("memoryGatewayState", () => {
  it("evicts the least recently written stored value, never a live counter", async () => {
    const state = memoryGatewayState({ maxEntries: 2 });
    await state.add("spend", 1, 60_000);
    await state.set("cache-a", "a", 60_000);
    await state.set("cache-b", "b", 60_000);
    await state.set("cache-c", "c", 60_000);
    expect(await state.get("cache-a")).toBeUndefined();
    expect(await state.get("cache-c")).toBe("c");
    // 10,500 cache writes later, the spend is still there.
    for (let i = 0; i < 10_500; i++) await state.set(`cache-${i}`, "x", 60_000);
    expect(await state.get("spend")).toBe("1");
  });

  it("reserves against limits atomically: all counters or none", async () => {
    const state = memoryGatewayState();
    const reserve = () =>
      state.reserve([
        { key: "total", amount: 1, limit: 3, ttlMs: 60_000 },
        { key: "daily", amount: 1, ttlMs: 60_000 },
      ]);
    const results = await Promise.all(Array.from({ length: 10 }, reserve));
    expect(results.filter(Boolean)).toHaveLength(3);
    expect(await state.get("total")).toBe("3");
    expect(await state.get("daily")).toBe("3");
  });

  it("keeps a counter's first expiry while adding, and starts again once it expired", async () => {
    let at = 0;
    const state = memoryGatewayState({ now: () => at });
    await state.add("window", 1, 1_000);
    at = 900;
    expect(await state.add("window", 1, 1_000)).toBe(2);
    at = 1_000;
    expect(await state.add("window", 1, 1_000)).toBe(1);
  });
});
