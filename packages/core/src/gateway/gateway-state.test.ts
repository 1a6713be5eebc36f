import { describe, expect, it } from "vitest";
import { memoryGatewayState } from "./gateway-state.js";

describe("memoryGatewayState", () => {
  it("evicts the least recently written entry: a counter still being added to outlives idle entries", async () => {
    const state = memoryGatewayState({ maxEntries: 2 });
    await state.add("spend", 1, 60_000);
    await state.set("cache-a", "a", 60_000);
    await state.add("spend", 2, 60_000);
    await state.set("cache-b", "b", 60_000);
    expect(await state.get("spend")).toBe("3");
    expect(await state.get("cache-a")).toBeUndefined();
    expect(await state.get("cache-b")).toBe("b");
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
