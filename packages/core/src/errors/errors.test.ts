import { describe, expect, it } from "vitest";
import { InvalidRequestError, ProviderError, RequestAbortedError } from "./errors.js";
import { KeywayError, markError } from "./keyway-error.js";

describe("error identity without instanceof", () => {
  it("each subclass recognises its own errors, including ones made by another copy of Keyway", () => {
    const provider = new ProviderError("groq", 503, "down");
    expect(ProviderError.isInstance(provider)).toBe(true);
    expect(KeywayError.isInstance(provider)).toBe(true);
    expect(RequestAbortedError.isInstance(provider)).toBe(false);
    expect(InvalidRequestError.isInstance(new Error("plain"))).toBe(false);
    // What a second installed copy's class produces: a different constructor, the same registry marks.
    const foreign = Object.assign(new Error("from another copy"), { [Symbol.for("keyway.error")]: true });
    markError(foreign, "RequestAbortedError");
    expect(RequestAbortedError.isInstance(foreign)).toBe(true);
    expect(foreign instanceof RequestAbortedError).toBe(false);
  });
});
