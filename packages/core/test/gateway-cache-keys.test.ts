import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture();
});
afterAll(() => fx.close());
beforeEach(() => fx.emulator.reset());

const respanParams = (params: unknown) => Buffer.from(JSON.stringify(params)).toString("base64");

async function cacheStatus(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await fx.gateway.fetch(
    new Request(`http://keyway.local${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
      body: JSON.stringify(body),
    }),
  );
  expect(response.status, await response.clone().text()).toBe(200);
  await response.arrayBuffer();
  return response.headers.get("x-keyway-cache") ?? "none";
}

const cached = { cache_enabled: true, cache_ttl: 60 };
let salt = 0;
/** A prompt no earlier test used, so each pair starts with an empty cache. */
const fresh = () => `pair ${++salt} ${Date.now()}`;

const messages = (text: string, extra: Record<string, unknown>) => ({
  model: "claude-sonnet-4-5",
  max_tokens: 100,
  messages: [{ role: "user", content: text }],
  ...cached,
  ...extra,
});
const gemini = (text: string, extra: Record<string, unknown>) => ({
  contents: [{ role: "user", parts: [{ text }] }],
  ...extra,
});
const responses = (text: string, extra: Record<string, unknown>) => ({
  model: "gpt-4o-mini",
  input: text,
  ...cached,
  ...extra,
});
const geminiPath = "/v1beta/models/gemini-2.5-flash:generateContent";
const geminiCached = { "x-data-respan-params": respanParams(cached) };

const pairs: {
  name: string;
  path: string;
  body: (text: string, differs: boolean) => unknown;
  headers?: (differs: boolean) => Record<string, string>;
}[] = [
  { name: "Messages top_k", path: "/v1/messages", body: (t, d) => messages(t, d ? { top_k: 5 } : {}) },
  {
    name: "Messages thinking",
    path: "/v1/messages",
    body: (t, d) => messages(t, d ? { thinking: { type: "enabled", budget_tokens: 1024 } } : {}),
  },
  {
    name: "Messages service_tier",
    path: "/v1/messages",
    body: (t, d) => messages(t, d ? { service_tier: "standard_only" } : {}),
  },
  {
    name: "Gemini safetySettings",
    path: geminiPath,
    body: (t, d) =>
      gemini(
        t,
        d ? { safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }] } : {},
      ),
    headers: () => geminiCached,
  },
  {
    name: "Gemini generationConfig.topK",
    path: geminiPath,
    body: (t, d) => gemini(t, d ? { generationConfig: { topK: 3 } } : {}),
    headers: () => geminiCached,
  },
  {
    name: "Gemini thinkingConfig",
    path: geminiPath,
    body: (t, d) => gemini(t, d ? { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } } : {}),
    headers: () => geminiCached,
  },
  {
    name: "Gemini tools",
    path: geminiPath,
    body: (t, d) =>
      gemini(
        t,
        d ? { tools: [{ functionDeclarations: [{ name: "lookup", parameters: { type: "OBJECT" } }] }] } : {},
      ),
    headers: () => geminiCached,
  },
  {
    name: "Gemini cachedContent",
    path: geminiPath,
    body: (t, d) => gemini(t, d ? { cachedContent: "cachedContents/abc" } : {}),
    headers: () => geminiCached,
  },
  {
    name: "Responses include",
    path: "/v1/responses",
    body: (t, d) => responses(t, d ? { include: ["reasoning.encrypted_content"] } : {}),
  },
  {
    name: "Responses truncation",
    path: "/v1/responses",
    body: (t, d) => responses(t, d ? { truncation: "auto" } : {}),
  },
  { name: "Responses store", path: "/v1/responses", body: (t, d) => responses(t, d ? { store: false } : {}) },
  {
    name: "Responses text.verbosity",
    path: "/v1/responses",
    body: (t, d) => responses(t, d ? { text: { verbosity: "low" } } : {}),
  },
  {
    name: "the provider hint header",
    path: "/v1/chat/completions",
    body: (t) => ({ model: "llama-3.1-8b-instant", messages: [{ role: "user", content: t }], ...cached }),
    headers: (d) => ({ "x-respan-route-provider": d ? "groq" : "fireworks" }),
  },
  {
    name: "credentials in X-Data-Respan-Params",
    path: "/v1/chat/completions",
    body: (t) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content: t }], ...cached }),
    headers: (d): Record<string, string> =>
      d
        ? {
            "x-data-respan-params": respanParams({
              customer_credentials: { openai: { api_key: "sk-openai-pool" } },
            }),
          }
        : {},
  },
];

describe("the response cache keys on the request as it goes upstream", () => {
  for (const pair of pairs)
    it(`requests that differ only in ${pair.name} do not share an entry`, async () => {
      const text = fresh();
      expect(await cacheStatus(pair.path, pair.body(text, false), pair.headers?.(false))).toBe("miss");
      expect(await cacheStatus(pair.path, pair.body(text, false), pair.headers?.(false))).toBe("hit");
      expect(await cacheStatus(pair.path, pair.body(text, true), pair.headers?.(true))).toBe("miss");
    });

  it("two customers sending the same request share one entry, unless cache_by_customer", async () => {
    const text = fresh();
    const body = (customer: string, extra: Record<string, unknown> = {}) => ({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: text }],
      customer_identifier: customer,
      ...cached,
      ...extra,
    });
    expect(await cacheStatus("/v1/chat/completions", body("alice"))).toBe("miss");
    expect(await cacheStatus("/v1/chat/completions", body("bob"))).toBe("hit");
    const byCustomer = { cache_options: { cache_by_customer: true } };
    expect(await cacheStatus("/v1/chat/completions", body("alice", byCustomer))).toBe("miss");
    expect(await cacheStatus("/v1/chat/completions", body("bob", byCustomer))).toBe("miss");
    expect(await cacheStatus("/v1/chat/completions", body("bob", byCustomer))).toBe("hit");
  });
});
