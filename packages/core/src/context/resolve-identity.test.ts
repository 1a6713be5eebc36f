import { describe, expect, it } from "vitest";
import { resolveIdentity } from "./resolve-identity.js";

describe("resolveIdentity", () => {
  it("merges params over context over defaults, customer and metadata key by key", () => {
    const identity = resolveIdentity({
      params: [
        { customer_identifier: "run-customer", metadata: { step: "run" } },
        {
          customer_params: { customer_identifier: "option-customer", email: "o@x" },
          thread_identifier: "t-opt",
        },
      ],
      context: {
        customer_params: { customer_identifier: "ctx", name: "Ctx" },
        metadata: { plan: "pro", step: "ctx" },
        thread_identifier: "t-ctx",
        custom_identifier: "c-ctx",
      },
      defaults: { metadata: { region: "eu" } },
    });
    expect(identity).toEqual({
      customer_params: { customer_identifier: "run-customer", email: "o@x", name: "Ctx" },
      metadata: { region: "eu", plan: "pro", step: "run" },
      thread_identifier: "t-opt",
      custom_identifier: "c-ctx",
    });
  });

  it("gives nothing when no source has anything", () => {
    expect(resolveIdentity({ params: [undefined, {}], context: {} })).toEqual({});
  });
});
