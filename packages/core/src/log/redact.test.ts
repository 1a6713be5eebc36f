import { describe, expect, it } from "vitest";
import { redactText, redactValue, truncateStrings } from "./redact.js";

describe("redaction", () => {
  it("removes provider keys, bearer tokens and assignments from text", () => {
    const text = [
      "openai sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ123456",
      "anthropic sk-ant-api03-abcdefghijklmnopqrstuv",
      "groq gsk_abcdefghijklmnopqrstuvwx",
      "fireworks fw_abcdefghijklmnopqrstu",
      "xai xai-abcdefghijklmnopqrstu",
      "aws AKIAABCDEFGHIJKLMNOP",
      "Authorization: Bearer eyJhbGciOi.payload.sig",
      "api_key=abcdef123456",
    ].join("\n");
    const out = redactText(text);
    for (const leak of [
      "ABCDEFGHIJ",
      "api03",
      "gsk_abc",
      "fw_abc",
      "xai-abc",
      "AKIAABC",
      "eyJhbGciOi",
      "abcdef123456",
    ]) {
      expect(out).not.toContain(leak);
    }
    expect(out).toContain("openai [REDACTED]");
  });

  it("removes exact known secrets of any shape, and leaves ordinary text alone", () => {
    expect(redactText("emulator key sk-test-1 used", ["sk-test-1"])).toBe("emulator key [REDACTED] used");
    expect(redactText("a sketch of sk-rates and tasks")).toBe("a sketch of sk-rates and tasks");
  });

  it("replaces values of credential-named keys at any depth", () => {
    const out = redactValue({
      a: { api_key: "k", nested: [{ Authorization: "Basic x" }] },
      customer_credentials: { groq: { api_key: "g" } },
      keep: 1,
    });
    expect(out).toEqual({
      a: { api_key: "[REDACTED]", nested: [{ Authorization: "[REDACTED]" }] },
      customer_credentials: "[REDACTED]",
      keep: 1,
    });
  });

  it("truncates huge strings with a marker", () => {
    const out = truncateStrings({ content: "x".repeat(20) }, 5);
    expect(out.content).toBe("xxxxx…[truncated 15 chars]");
  });
});

describe("serializePreparedLog", () => {
  it("takes the fast path only when redaction and truncation would change nothing", async () => {
    const { serializePreparedLog, prepareLog } = await import("./prepare-log.js");
    const clean = { unique_id: "a", prompt_messages: [{ role: "user", content: "hello" }] };
    expect(serializePreparedLog(clean)).toBe(JSON.stringify(clean));
    for (const dirty of [
      { unique_id: "b", prompt_messages: [{ role: "user", content: "key sk-proj-abcdefghijklmnopqrstuv" }] },
      { unique_id: "c", metadata: { password: "hunter2" } },
      { unique_id: "d", metadata: { note: "x".repeat(200) } },
    ]) {
      const options = { maxStringChars: 100 };
      expect(serializePreparedLog(dirty, options)).toBe(JSON.stringify(prepareLog(dirty, options)));
      expect(serializePreparedLog(dirty, options)).not.toBe(JSON.stringify(dirty));
    }
    expect(
      serializePreparedLog(
        { unique_id: "e", error_message: "bad key my-own-secret" },
        { secrets: ["my-own-secret"] },
      ),
    ).not.toContain("my-own-secret");
    expect(serializePreparedLog(clean, { redact: () => null })).toBeNull();
  });
});
