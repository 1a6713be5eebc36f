import { waitFor } from "@keyway/testing";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture, serveOverHttp } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const ask = (content = "hi", model = "groq/llama-3.1-8b-instant") => ({
  model,
  messages: [{ role: "user" as const, content }],
});

const twoKeyFixture = () =>
  gatewayFixture((own) => ({
    providers: {
      groq: {
        baseURL: `${own.url}/openai/v1`,
        keys: [
          { apiKey: "gsk-a", weight: 1 },
          { apiKey: "gsk-b", weight: 1 },
        ],
      },
    },
  }));

describe("retries, cooldown and fallbacks", () => {
  it("moves traffic off a key after 429 and back after its Retry-After", async () => {
    fx = await twoKeyFixture();
    const { gateway, emulator, sink } = fx;
    emulator.fault({ match: { apiKey: "gsk-a" }, status: 429, retryAfter: 0.4, times: 1 });
    // Find a call that lands on key a first: it is retried on b at once.
    for (let i = 0; i < 40 && emulator.requestsWithKey("gsk-a").length === 0; i++) await gateway.chat(ask());
    const rateLimited = sink.logs.find((log) => (log.attempts ?? 0) > 1);
    expect(rateLimited).toMatchObject({ attempts: 2, status: "success" });
    expect(emulator.requests.at(-1)?.apiKey).toBe("gsk-b");
    const health = gateway.keyHealth();
    expect(health.find((key) => key.lastStatus === 429)).toMatchObject({ healthy: false, provider: "groq" });
    emulator.reset();
    for (let i = 0; i < 20; i++) await gateway.chat(ask());
    expect(emulator.requestsWithKey("gsk-a")).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(gateway.keyHealth().every((key) => key.healthy)).toBe(true);
    for (let i = 0; i < 40; i++) await gateway.chat(ask());
    expect(emulator.requestsWithKey("gsk-a").length).toBeGreaterThan(5);
  });

  it("serves every call when one key of the pool is refused (401), and says which key served it", async () => {
    fx = await twoKeyFixture();
    const { gateway, emulator, sink } = fx;
    emulator.fault({ match: { apiKey: "gsk-a" }, status: 401, errorMessage: "Invalid API Key" });
    for (let i = 0; i < 20; i++) {
      const completion = await gateway.chat(ask(`call ${i}`));
      expect(completion.choices[0]?.message.content).toBe(`Echo: call ${i}`);
    }
    expect(sink.logs).toHaveLength(20);
    expect(sink.logs.every((log) => log.status === "success")).toBe(true);
    const good = gateway.keyHealth().find((key) => key.lastStatus === 200)?.keyId;
    expect(good).toBeDefined();
    expect(sink.logs.every((log) => log.key_fingerprint === good)).toBe(true);
    // The refused key is tried at most once (then cooled down): that call took two attempts.
    expect(emulator.requestsWithKey("gsk-a").length).toBeLessThanOrEqual(1);
    expect(sink.logs.filter((log) => log.attempts === 2)).toHaveLength(
      emulator.requestsWithKey("gsk-a").length,
    );
    expect(gateway.keyHealth().find((key) => key.lastStatus === 401)?.healthy ?? false).toBe(false);
  });

  it("never swaps a customer's own refused key for a pool key", async () => {
    fx = await twoKeyFixture();
    const { gateway, emulator } = fx;
    emulator.fault({ match: { apiKey: "gsk-customer" }, status: 401 });
    await expect(
      gateway.chat({ ...ask(), customer_credentials: { groq: { api_key: "gsk-customer" } } }),
    ).rejects.toMatchObject({ upstreamStatus: 401 });
    expect(emulator.requests.map((request) => request.apiKey)).toEqual(["gsk-customer"]);
  });

  it("retries 5xx with backoff, then falls back to the next model with its own credentials", async () => {
    fx = await gatewayFixture({ retry: { retries: 2, baseDelayMs: 1 } });
    const { gateway, emulator, sink } = fx;
    emulator.fault({ match: { model: "llama-3.1-8b-instant" }, status: 503 });
    const completion = await gateway.chat({
      ...ask("fall back"),
      fallback_models: ["anthropic/claude-sonnet-4-5"],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: fall back");
    expect(emulator.requests.map((request) => [request.apiKey, request.status])).toEqual([
      ["gsk-pool-a", 503],
      ["gsk-pool-a", 503],
      ["gsk-pool-a", 503],
      ["sk-ant-pool", 200],
    ]);
    expect(sink.logs).toHaveLength(1);
    expect(sink.logs[0]).toMatchObject({
      model: "anthropic/claude-sonnet-4-5",
      provider_id: "anthropic",
      attempts: 4,
      fallback_from: ["groq/llama-3.1-8b-instant"],
    });
  });

  it("does not retry 4xx other than 429, and honours retry_params", async () => {
    fx = await gatewayFixture();
    const { gateway, emulator, sink } = fx;
    emulator.fault({ status: 400, errorMessage: "context too long", times: 1 });
    await expect(gateway.chat(ask())).rejects.toMatchObject({ upstreamStatus: 400, statusCode: 400 });
    expect(emulator.requests).toHaveLength(1);
    emulator.reset();
    emulator.fault({ status: 500 });
    await expect(
      gateway.chat({ ...ask(), retry_params: { num_retries: 4, retry_after: 0.001 } }),
    ).rejects.toMatchObject({ upstreamStatus: 500 });
    expect(emulator.requests).toHaveLength(5);
    expect(sink.logs.at(-1)).toMatchObject({ status: "error", status_code: 500, attempts: 5 });
    expect(sink.logs.at(-1)?.error_message).toContain('Provider "groq" answered 500');
  });

  it("never retries once a stream has started", async () => {
    fx = await gatewayFixture();
    const { client, emulator, sink } = fx;
    emulator.fault({ resetAfterChunks: 2, times: 1 });
    const stream = await client.chat.completions.create({ ...ask("one two three four"), stream: true });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((error: unknown) => error);
    expect(failure).toBeDefined();
    expect(received.join("")).toBe("Echo: ");
    expect(emulator.requests).toHaveLength(1);
    await waitFor(() => sink.logs.length === 1);
    expect(sink.logs[0]).toMatchObject({ stream: true, status: "error", attempts: 1 });
  });

  it("closes the upstream when the caller aborts mid-stream, and logs the cancellation", async () => {
    fx = await gatewayFixture();
    const { client, emulator, sink } = fx;
    emulator.fault({ chunkDelayMs: 100, times: 1 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { ...ask("a b c d e f g h"), stream: true },
      { signal: controller.signal },
    );
    await (async () => {
      for await (const _ of stream) controller.abort();
    })().catch(() => undefined);
    await waitFor(() => emulator.requests[0]?.clientClosed);
    expect(emulator.requests[0]?.completed).toBe(false);
    await waitFor(() => sink.logs.length === 1);
    expect(sink.logs[0]).toMatchObject({
      status: "error",
      status_code: 499,
      error_message: "The request was aborted by the caller.",
    });
  });

  it("times out an upstream that sends no headers", async () => {
    fx = await gatewayFixture({ timeoutMs: 100, retry: { retries: 0 } });
    fx.emulator.fault({ headerDelayMs: 1_000, times: 1 });
    await expect(fx.gateway.chat(ask())).rejects.toMatchObject({ code: "upstream_timeout", statusCode: 504 });
  });
});

describe("bad upstreams end in a typed error and a log, never a hang", () => {
  it("ends a call whose upstream stalls after its headers, JSON or mid-stream", async () => {
    fx = await gatewayFixture({ timeoutMs: 150, retry: { retries: 0 } });
    const { gateway, emulator, sink } = fx;
    emulator.fault({ stallAfterChunks: 0, times: 1 });
    await expect(gateway.chat(ask())).rejects.toMatchObject({ code: "upstream_timeout", statusCode: 504 });
    emulator.fault({ stallAfterChunks: 2, times: 1 });
    const stream = await gateway.chat({ ...ask("a b c d e f"), stream: true });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "upstream_timeout", statusCode: 504 });
    expect(received.join("")).not.toBe("");
    await waitFor(() => sink.logs.length === 2);
    for (const log of sink.logs) expect(log).toMatchObject({ status: "error", status_code: 504 });
    expect(sink.logs[1]?.error_message).toContain("sent nothing for 150 ms");
    await waitFor(() => emulator.requests.every((request) => request.clientClosed));
  });

  it("cuts off an upstream body past maxResponseBytes, JSON or streamed", async () => {
    fx = await gatewayFixture({ maxResponseBytes: 1024 * 1024, retry: { retries: 0 } });
    const { gateway, emulator, sink } = fx;
    emulator.fault({ oversizeBytes: 16 * 1024 * 1024, times: 2 });
    await expect(gateway.chat(ask())).rejects.toMatchObject({
      code: "upstream_response_too_large",
      statusCode: 502,
    });
    const stream = await gateway.chat({ ...ask(), stream: true });
    const failure = await (async () => {
      for await (const _ of stream);
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "upstream_response_too_large" });
    await waitFor(() => sink.logs.length === 2);
    expect(sink.logs.map((log) => log.status_code)).toEqual([502, 502]);
    await waitFor(() => emulator.requests.every((request) => request.clientClosed));
  });

  it("reports a connection reset mid-stream as the provider's error (502), to the client and in the log", async () => {
    fx = await gatewayFixture();
    const { emulator, sink } = fx;
    const server = await serveOverHttp(fx.gateway);
    try {
      emulator.fault({ resetAfterChunks: 2, times: 1 });
      const client = new OpenAI({ apiKey: "unused", baseURL: `${server.url}/v1`, maxRetries: 0 });
      const stream = await client.chat.completions.create({ ...ask("one two three"), stream: true });
      const failure = await (async () => {
        for await (const _ of stream);
      })().catch((error: unknown) => error);
      expect(String(failure)).toContain('Provider "groq" dropped the connection mid-response');
      await waitFor(() => sink.logs.length === 1);
      expect(sink.logs[0]).toMatchObject({ status: "error", status_code: 502 });
      expect(sink.logs[0]?.error_message).toContain("dropped the connection mid-response");
    } finally {
      await server.close();
    }
  });
});

describe("bad input gets a clear error and the gateway keeps serving", () => {
  const post = (fixture: GatewayFixture, body: string, headers: Record<string, string> = {}) =>
    fixture.gateway.fetch("http://keyway.local/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("answers each bad request with an OpenAI-shaped error naming the problem", async () => {
    fx = await gatewayFixture({ maxBodyBytes: 10_000 });
    const cases: [string, number, string, string | null][] = [
      ["{not json", 400, "invalid_json", null],
      [JSON.stringify({ messages: [{ role: "user", content: "x" }] }), 400, "invalid_request", "model"],
      [
        JSON.stringify({ model: "nobody/knows-me", messages: [{ role: "user", content: "x" }] }),
        400,
        "unknown_model",
        null,
      ],
      [
        JSON.stringify({ model: "groq/llama-3.1-8b-instant", messages: "hi" }),
        400,
        "invalid_request",
        "messages",
      ],
      [
        JSON.stringify({
          model: "groq/llama-3.1-8b-instant",
          messages: [{ role: "user", content: "x" }],
          temperature: "hot",
        }),
        400,
        "invalid_request",
        "temperature",
      ],
      [
        JSON.stringify({
          model: "groq/llama-3.1-8b-instant",
          messages: [{ role: "user", content: "x" }],
          customer_identifier: 5,
        }),
        400,
        "invalid_request",
        "customer_identifier",
      ],
      [
        JSON.stringify({ model: "x", messages: [{ role: "user", content: "x".repeat(20_000) }] }),
        413,
        "body_too_large",
        null,
      ],
    ];
    for (const [body, status, code, param] of cases) {
      const response = await post(fx, body);
      expect(response.status, body.slice(0, 60)).toBe(status);
      const json = (await response.json()) as {
        error: { code: string; param: string | null; message: string };
      };
      expect(json.error.code).toBe(code);
      expect(json.error.param).toBe(param);
    }
    const unknown = await post(
      fx,
      JSON.stringify({ model: "mystery-model", messages: [{ role: "user", content: "x" }] }),
    );
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain(
      'Unknown model "mystery-model"',
    );
    const ok = await post(fx, JSON.stringify(ask()));
    expect(ok.status).toBe(200);
  });

  it("redacts every key a call used from its log and its error, in any casing and in base64", async () => {
    fx = await gatewayFixture({ retry: { retries: 0 } });
    const key = "customer-key-0123456789";
    const byCustomer = { customer_credentials: { groq: { api_key: key } } };
    const echoes = [
      key.toUpperCase(),
      Buffer.from(key).toString("base64"),
      Buffer.from(`user:${key}`).toString("base64"),
      Buffer.from(`ab${key}`).toString("base64url"),
    ];
    const errors: string[] = [];
    for (const echo of echoes) {
      fx.emulator.fault({ status: 401, errorMessage: `Invalid key ${echo}`, times: 1 });
      const failure = await fx.gateway.chat({ ...ask(), ...byCustomer }).catch((error: Error) => error);
      errors.push(String((failure as Error).message));
    }
    await fx.gateway.chat({ ...ask(`repeat ${Buffer.from(key).toString("base64")}`), ...byCustomer });
    expect(fx.sink.logs).toHaveLength(echoes.length + 1);
    const stored = JSON.stringify(fx.sink.logs);
    for (const text of [stored, ...errors]) {
      for (const echo of [key, ...echoes]) expect(text).not.toContain(echo);
      expect(text.toLowerCase()).not.toContain("0123456789");
    }
    expect(errors[0]).toContain("[REDACTED]");
  });

  it("turns a provider answering garbage into a 502 and never echoes keys", async () => {
    fx = await gatewayFixture();
    fx.emulator.fault({ malformed: true, times: 3 }); // the first try and both retries
    const garbage = await fx.client.chat.completions.create(ask()).catch((error: unknown) => error);
    expect(garbage).toBeInstanceOf(OpenAI.APIError);
    expect(garbage).toMatchObject({ status: 502, code: "bad_upstream_response" });
    fx.emulator.fault({ status: 401, errorMessage: "Invalid API Key: gsk-customer-secret-123", times: 1 });
    const leaked = await fx.client.chat.completions
      .create({ ...ask(), customer_credentials: { groq: { api_key: "gsk-customer-secret-123" } } } as never)
      .catch((error: unknown) => error);
    expect(leaked).toMatchObject({ status: 401 });
    expect(JSON.stringify((leaked as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(
      "gsk-customer-secret-123",
    );
    expect(JSON.stringify(fx.sink.logs)).not.toContain("gsk-customer-secret-123");
    const after = await fx.client.chat.completions.create(ask("still here"));
    expect(after.choices[0]?.message.content).toBe("Echo: still here");
  });
});
