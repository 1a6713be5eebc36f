import { describe, expect, it } from "vitest";
import { currentContext, runWithContext } from "./context.js";

describe("Keyway context", () => {
  it("is undefined outside, visible across awaits inside", async () => {
    expect(currentContext()).toBeUndefined();
    await runWithContext({ customer_params: { customer_identifier: "u1" } }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(currentContext()?.customer_params?.customer_identifier).toBe("u1");
    });
  });

  it("merges nested contexts, inner wins, one trace id from the outermost call", () => {
    runWithContext(
      {
        customer_params: { customer_identifier: "u1", name: "Ann" },
        metadata: { plan: "pro", region: "eu" },
        thread_identifier: "t1",
      },
      () => {
        const outerTrace = currentContext()?.trace_unique_id;
        expect(outerTrace).toMatch(/^[0-9a-f-]{36}$/);
        runWithContext({ customer_params: { customer_identifier: "u2" }, metadata: { region: "us" } }, () => {
          expect(currentContext()).toMatchObject({
            customer_params: { customer_identifier: "u2", name: "Ann" },
            metadata: { plan: "pro", region: "us" },
            thread_identifier: "t1",
            trace_unique_id: outerTrace,
          });
        });
      },
    );
  });

  it("keeps concurrent contexts apart", async () => {
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runWithContext({ customer_params: { customer_identifier: `c${i}` } }, async () => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 11));
          return currentContext()?.customer_params?.customer_identifier;
        }),
      ),
    );
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
  });
});
