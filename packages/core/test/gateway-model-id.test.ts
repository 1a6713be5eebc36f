import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

// A bare upstream standing in for Google's host: it records every URL it is sent, whatever the path.
let upstream: Server;
let upstreamURL: string;
const seen: string[] = [];
let fx: GatewayFixture;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push(req.url ?? "");
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP" }],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
      }),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1beta`;
  fx = await gatewayFixture({
    providers: { google: { baseURL: upstreamURL, apiKey: "gemini-secret-key" } },
  });
});
afterAll(async () => {
  await fx.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** True when the URL upstream saw stays under /v1beta/models/, no segment a step up, no query but alt=sse. */
function stayedInModels(raw: string): boolean {
  const url = new URL(raw, "http://google.local");
  const segments = url.pathname.split("/").map(decodeURIComponent);
  return (
    url.pathname.startsWith("/v1beta/models/") &&
    segments.every((segment) => segment !== ".." && segment !== "." && !segment.includes("/")) &&
    [...url.searchParams.keys()].every((key) => key === "alt")
  );
}

const pathVariants = [
  "gemini%2F..%2F..%2F..%2Fv1beta%2FcachedContents%3Fx%3D",
  "..%2F..%2FcachedContents",
  "%2E%2E%2F%2E%2E%2FcachedContents",
  "gemini%5C..%5C..%5CcachedContents",
  "gemini%3Fkey%3Dother",
  "gemini%23fragment",
  "gemini%252F..%252F..",
  "gemini%20flash",
  "gemini%00",
  "gemini%2F%2Fdouble",
  "gemini%2F.%2Fdot",
];
const bodyVariants = [
  "gemini/../../cachedContents",
  "gemini/..\\..\\cachedContents",
  "google/gemini?x=1",
  "google/gemini#x",
  "google/gemini%2F..",
  "google/gemini/./x",
  "google/a//b",
  `google/${"x".repeat(300)}`,
];

describe("a model id is one grammar, and stays in its path segment upstream", () => {
  it("refuses every path variant on the Gemini face with a 400, and nothing leaves /models/", async () => {
    for (const model of pathVariants) {
      seen.length = 0;
      const response = await fx.gateway.fetch(
        new Request(`http://keyway.local/v1beta/models/${model}:generateContent`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
        }),
      );
      const body = (await response.json()) as { error: { status?: string; message: string } };
      expect(response.status, model).toBe(400);
      expect(body.error.message).not.toContain("gemini-secret-key");
      expect(seen, model).toEqual([]);
    }
  });

  it("refuses body model ids on the chat, Messages, Responses and embeddings faces", async () => {
    const faces: { path: string; body: (model: string) => unknown }[] = [
      {
        path: "/v1/chat/completions",
        body: (model) => ({ model, messages: [{ role: "user", content: "hi" }] }),
      },
      {
        path: "/v1/messages",
        body: (model) => ({ model, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
      },
      { path: "/v1/responses", body: (model) => ({ model, input: "hi" }) },
      { path: "/v1/embeddings", body: (model) => ({ model, input: "hi" }) },
    ];
    for (const face of faces)
      for (const model of bodyVariants) {
        seen.length = 0;
        const response = await fx.gateway.fetch(
          new Request(`http://keyway.local${face.path}`, {
            method: "POST",
            headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
            body: JSON.stringify(face.body(model)),
          }),
        );
        expect(response.status, `${face.path} ${model}`).toBe(400);
        expect(seen, `${face.path} ${model}`).toEqual([]);
      }
  });

  it("refuses a fallback model that is not a model id", async () => {
    const response = await fx.gateway.fetch(
      new Request("http://keyway.local/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "gemini-2.5-flash",
          fallback_models: ["gemini/../../cachedContents"],
          messages: [{ role: "user", content: "hi" }],
        }),
      }),
    );
    const body = (await response.json()) as { error: { param: string } };
    expect(response.status).toBe(400);
    expect(body.error.param).toBe("fallback_models[0]");
  });

  it("sends real model ids to their own segment, each segment encoded", async () => {
    for (const model of ["gemini-2.5-flash", "google/gemini-2.0-flash", "google/tunedModels/my-model-1"]) {
      seen.length = 0;
      const response = await fx.gateway.fetch(
        new Request(`http://keyway.local/v1beta/models/${encodeURIComponent(model)}:generateContent`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
        }),
      );
      expect(response.status, model).toBe(200);
      expect(seen).toHaveLength(1);
      expect(stayedInModels(seen[0] as string), seen[0]).toBe(true);
    }
    expect(seen[0]).toBe("/v1beta/models/tunedModels/my-model-1:generateContent");
  });
});
