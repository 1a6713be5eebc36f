import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../errors/errors.js";
import { normalizeLog } from "./normalize-log.js";

const fixed = { generateId: () => "generated-id", now: () => new Date("2026-11-23T10:00:00.000Z") };

describe("normalizeLog", () => {
  it("turns the legacy shape into the stored shape", () => {
    const log = normalizeLog(
      {
        model: "gpt-4o",
        prompt_messages: [{ role: "user", content: "hi" }],
        completion_message: { role: "assistant", content: "hello" },
        generation_time: 1.5,
        ttft: 0.2,
        prompt_tokens: 10,
        completion_tokens: 5,
        customer_identifier: "u1",
        customer_email: "u1@example.com",
        extra_field: { kept: true },
      },
      fixed,
    );
    expect(log).toEqual({
      unique_id: "generated-id",
      log_type: "chat",
      model: "gpt-4o",
      prompt_messages: [{ role: "user", content: "hi" }],
      completion_message: { role: "assistant", content: "hello" },
      latency: 1.5,
      time_to_first_token: 0.2,
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      customer_params: { customer_identifier: "u1", email: "u1@example.com" },
      extra_field: { kept: true },
      status_code: 200,
      status: "success",
      timestamp: "2026-11-23T10:00:00.000Z",
    });
  });

  it("turns the current shape (input/output, usage{}, latency) into the same stored shape", () => {
    const log = normalizeLog(
      {
        unique_id: "abc",
        input: [{ role: "user", content: "hi" }],
        output: { role: "assistant", content: "hello" },
        latency: 1.5,
        time_to_first_token: 0.2,
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          prompt_tokens_details: { cached_tokens: 4 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
        customer_params: { customer_identifier: "u1" },
        timestamp: "2026-01-01T00:00:00Z",
      },
      fixed,
    );
    expect(log).toMatchObject({
      unique_id: "abc",
      prompt_messages: [{ role: "user", content: "hi" }],
      completion_message: { role: "assistant", content: "hello" },
      latency: 1.5,
      time_to_first_token: 0.2,
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_cache_hit_tokens: 4,
      reasoning_tokens: 2,
      customer_params: { customer_identifier: "u1" },
      timestamp: "2026-01-01T00:00:00Z",
    });
    expect(log).not.toHaveProperty("usage");
    expect(log).not.toHaveProperty("input");
  });

  it("maps Anthropic-style usage and string input/output", () => {
    const log = normalizeLog(
      {
        input: "question",
        output: "answer",
        usage: {
          input_tokens: 7,
          output_tokens: 3,
          cache_read_input_tokens: 2,
          cache_creation_input_tokens: 1,
        },
      },
      fixed,
    );
    expect(log).toMatchObject({
      prompt_messages: [{ role: "user", content: "question" }],
      completion_message: { role: "assistant", content: "answer" },
      prompt_tokens: 7,
      prompt_cache_hit_tokens: 2,
      prompt_cache_creation_tokens: 1,
    });
  });

  it("keeps non-chat span content as input/output and derives error status", () => {
    const log = normalizeLog(
      { log_type: "tool", input: { city: "Paris" }, output: { temp: 21 }, error_message: "boom" },
      fixed,
    );
    expect(log).toMatchObject({
      log_type: "tool",
      input: { city: "Paris" },
      output: { temp: 21 },
      status: "error",
      status_code: 500,
    });
  });

  it("drops content but keeps metrics with disable_log", () => {
    const log = normalizeLog(
      {
        disable_log: true,
        prompt_messages: [{ role: "user", content: "secret" }],
        completion_message: { role: "assistant", content: "x" },
        prompt_tokens: 4,
        cost: 0.1,
      },
      fixed,
    );
    expect(log).not.toHaveProperty("prompt_messages");
    expect(log).not.toHaveProperty("completion_message");
    expect(log).toMatchObject({ prompt_tokens: 4, cost: 0.1, disable_log: true });
  });

  it("names the bad field", () => {
    const attempt = (input: unknown) => {
      try {
        normalizeLog(input);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const wrongType = attempt({ prompt_tokens: "ten" });
    expect(wrongType).toBeInstanceOf(InvalidRequestError);
    expect(wrongType).toMatchObject({ field: "prompt_tokens", code: "invalid_log", statusCode: 400 });
    expect(attempt({ prompt_messages: [{ content: "no role" }] })).toMatchObject({
      field: "prompt_messages.0.role",
    });
    expect(attempt({ usage: { prompt_tokens: -1 } })).toMatchObject({ field: "usage.prompt_tokens" });
    expect(attempt("not an object")).toBeInstanceOf(InvalidRequestError);
  });
});
