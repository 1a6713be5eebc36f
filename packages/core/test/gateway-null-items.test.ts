import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

// A bare upstream for every provider: it answers whatever body the test sets, as a provider that misbehaves.
let upstream: Server;
let answer: unknown = {};
let fx: GatewayFixture;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  fx = await gatewayFixture({
    providers: {
      openai: { baseURL: `${url}/v1`, apiKey: "sk-openai" },
      anthropic: { baseURL: `${url}/v1`, apiKey: "sk-ant" },
      google: { baseURL: `${url}/v1beta`, apiKey: "gemini-key" },
    },
  });
});
afterAll(async () => {
  await fx.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fx.gateway.fetch(
    new Request(`http://keyway.local${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const hi = [{ role: "user", content: "hi" }];
describe("null items are typed errors, never a 500", () => {
  const requests: { name: string; path: string; body: unknown; param: string }[] = [
    {
      name: "Responses input: [null]",
      path: "/v1/responses",
      body: { model: "gpt-4o-mini", input: [null] },
      param: "input.0",
    },
    {
      name: "Responses tools: [null]",
      path: "/v1/responses",
      body: { model: "claude-sonnet-4-5", input: "hi", tools: [null] },
      param: "tools.0",
    },
    {
      name: "Messages messages: [null]",
      path: "/v1/messages",
      body: { model: "gpt-4o-mini", max_tokens: 10, messages: [null] },
      param: "messages.0",
    },
    {
      name: "Messages tools: [null]",
      path: "/v1/messages",
      body: { model: "gpt-4o-mini", max_tokens: 10, messages: hi, tools: [null] },
      param: "tools.0",
    },
    {
      name: "chat tools: [null]",
      path: "/v1/chat/completions",
      body: { model: "gpt-4o-mini", messages: hi, tools: [null] },
      param: "tools.0",
    },
    {
      name: "Gemini contents: [null]",
      path: "/v1beta/models/gpt-4o-mini:generateContent",
      body: { contents: [null] },
      param: "contents.0",
    },
    {
      name: "Gemini parts: [null]",
      path: "/v1beta/models/gpt-4o-mini:generateContent",
      body: { contents: [{ role: "user", parts: [null] }] },
      param: "contents.0.parts.0",
    },
  ];
  for (const request of requests)
    it(`${request.name} → 400 naming the item`, async () => {
      const { status, body } = await post(request.path, request.body);
      expect(status).toBe(400);
      expect(JSON.stringify(body)).toContain(request.param);
    });

  const answers: { name: string; model: string; answer: unknown }[] = [
    {
      name: "Anthropic content: [null]",
      model: "claude-sonnet-4-5",
      answer: { type: "message", role: "assistant", content: [null] },
    },
    {
      name: "Responses output: [null]",
      model: "gpt-4o-mini",
      answer: { object: "response", output: [null] },
    },
    {
      name: "chat choices: [null]",
      model: "gpt-4o-mini",
      answer: { object: "chat.completion", choices: [null] },
    },
    { name: "Gemini candidates: [null]", model: "gemini-2.5-flash", answer: { candidates: [null] } },
  ];
  for (const bad of answers)
    it(`upstream ${bad.name} → 502 bad_upstream_response`, async () => {
      answer = bad.answer;
      // Responses goes upstream as Responses (passed through) for OpenAI; the rest as chat.
      const path = bad.name.startsWith("Responses") ? "/v1/responses" : "/v1/chat/completions";
      const body =
        path === "/v1/responses" ? { model: bad.model, input: "hi" } : { model: bad.model, messages: hi };
      const { status, body: error } = await post(path, body);
      expect(status).toBe(502);
      expect(JSON.stringify(error)).toContain("bad_upstream_response");
    });
});
