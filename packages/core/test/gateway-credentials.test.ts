import { afterEach, describe, expect, it } from "vitest";
import { CredentialsMissingError } from "../src/errors/errors.js";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const ask = (extra: Record<string, unknown> = {}, model = "groq/llama-3.1-8b-instant") => ({
  model,
  messages: [{ role: "user" as const, content: "hi" }],
  ...extra,
});

describe("credential precedence: override → customer → pool → env", () => {
  it("each layer wins over the next", async () => {
    fx = await gatewayFixture({ env: { GROQ_API_KEY: "gsk-env" } });
    const { gateway, emulator } = fx;
    const override = { credential_override: { "groq/llama-3.1-8b-instant": { api_key: "gsk-override" } } };
    const customer = { customer_credentials: { groq: { api_key: "gsk-customer" } } };
    await gateway.chat(ask({ ...override, ...customer }));
    await gateway.chat(ask(customer));
    await gateway.chat(ask());
    const noPool = await gatewayFixture((own) => ({
      env: { GROQ_API_KEY: "gsk-env" },
      providers: { groq: { baseURL: `${own.url}/openai/v1` } },
    }));
    try {
      await noPool.gateway.chat(ask());
      expect(noPool.emulator.requests.map((request) => request.apiKey)).toEqual(["gsk-env"]);
      expect(noPool.sink.logs[0]?.credential_source).toBe("env");
    } finally {
      await noPool.close();
    }
    expect(emulator.requests.map((request) => request.apiKey)).toEqual([
      "gsk-override",
      "gsk-customer",
      "gsk-pool-a",
    ]);
    expect(fx.sink.logs.map((log) => log.credential_source)).toEqual(["override", "customer", "pool"]);
  });

  it("reads all three customer_credentials shapes, honouring available_models and exclude_models", async () => {
    fx = await gatewayFixture();
    const { gateway, emulator } = fx;
    await gateway.chat(ask({ customer_credentials: { groq: { api_key: "shape-1" } } }));
    await gateway.chat(
      ask({ customer_credentials: { groq: [{ weight: 1, credentials: { api_key: "shape-2" } }] } }),
    );
    await gateway.chat(
      ask({
        customer_credentials: [
          {
            credentials: { groq: { api_key: "excluded" } },
            weight: 100,
            exclude_models: ["groq/llama-3.1-8b-instant"],
          },
          {
            credentials: { groq: { api_key: "other-model-only" } },
            weight: 100,
            available_models: ["llama-3.3-70b"],
          },
          {
            credentials: { groq: { api_key: "shape-3" } },
            weight: 1,
            available_models: ["llama-3.1-8b-instant"],
          },
        ],
      }),
    );
    expect(emulator.requests.map((request) => request.apiKey)).toEqual(["shape-1", "shape-2", "shape-3"]);
  });

  it("says where it looked when no key exists, and refuses api_base hosts off the allow-list", async () => {
    fx = await gatewayFixture();
    const { gateway, client, emulator } = fx;
    const missing = await gateway.chat(ask({}, "mistral/mistral-small")).catch((error: unknown) => error);
    expect(CredentialsMissingError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toContain("env MISTRAL_API_KEY");
    expect(fx.sink.logs[0]).toMatchObject({ status: "error", status_code: 401, provider_id: "mistral" });

    const ssrf = await client.chat.completions
      .create(
        ask({
          credential_override: {
            "groq/llama-3.1-8b-instant": { api_key: "k", api_base: "http://169.254.169.254/latest" },
          },
        }) as never,
      )
      .catch((error: unknown) => error);
    expect(ssrf).toMatchObject({ status: 400, code: "base_url_not_allowed" });
    expect(emulator.requests).toHaveLength(0);

    const allowed = await gatewayFixture((own) => ({ allowedBaseURLHosts: [new URL(own.url).host] }));
    try {
      await allowed.gateway.chat(
        ask({
          credential_override: {
            "groq/llama-3.1-8b-instant": {
              api_key: "k-own-base",
              api_base: `${allowed.emulator.url}/custom/v1`,
            },
          },
        }),
      );
      expect(allowed.emulator.requests[0]).toMatchObject({
        path: "/custom/v1/chat/completions",
        apiKey: "k-own-base",
      });
    } finally {
      await allowed.close();
    }
  });

  it("routes custom OpenAI-compatible providers by exact model id, keyless when the server needs none", async () => {
    const custom = await gatewayFixture(
      (own) => ({ providers: { "my-vllm": { baseURL: `${own.url}/vllm/v1`, models: ["my-llama"] } } }),
      {
        allowMissingKey: true,
      },
    );
    fx = custom;
    {
      const completion = await custom.gateway.chat(ask({}, "my-llama"));
      expect(completion.choices[0]?.message.content).toBe("Echo: hi");
      expect(custom.sink.logs[0]).toMatchObject({ provider_id: "my-vllm", model: "my-llama" });
      expect(custom.emulator.requests[0]).toMatchObject({
        path: "/vllm/v1/chat/completions",
        apiKey: undefined,
      });
      const models = await custom.client.models.list();
      expect(models.data.map((model) => model.id)).toEqual(["my-llama"]);
    }
  });
});
