import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

describe("keyway serve's gateway for Google's GenAI client", () => {
  it("@google/genai with its base URL at keyway serve: generateContent and the stream, Gemini and groq models", async () => {
    // The client sends its key as x-goog-api-key: keyway serve checks it against its own API keys.
    const ai = new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: fx.server.url } });
    const answer = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "serve gemini" });
    expect(answer.text).toBe("Echo: serve gemini");
    expect(answer.usageMetadata?.candidatesTokenCount).toBe(3);
    let text = "";
    for await (const chunk of await ai.models.generateContentStream({
      model: "groq/llama-3.1-8b-instant",
      contents: "serve gemini stream",
    }))
      text += chunk.text ?? "";
    expect(text).toBe("Echo: serve gemini stream");

    const page = (await (await fx.call("/api/request-logs/?log_source=gateway&limit=50")).json()) as {
      results: { model: string; stream: boolean; completion_tokens: number; log_type: string }[];
    };
    const mine = page.results.filter((log) => log.model === "gemini-2.5-flash" || log.stream);
    expect(mine.map((log) => [log.log_type, log.model, log.stream, log.completion_tokens]).sort()).toEqual([
      ["chat", "gemini-2.5-flash", false, 3],
      ["chat", "groq/llama-3.1-8b-instant", true, 4],
    ]);
  });

  it("takes the key as Google's clients send it (x-goog-api-key anywhere, ?key= on Gemini's routes) and refuses a wrong one", async () => {
    const body = JSON.stringify({ contents: [{ parts: [{ text: "keyed" }] }] });
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${fx.server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    const byQuery = await post(`/v1beta/models/gemini-2.5-flash:generateContent?key=${API_KEY}`);
    expect(byQuery.status).toBe(200);
    expect(await byQuery.json()).toMatchObject({
      candidates: [{ content: { parts: [{ text: "Echo: keyed" }] } }],
    });
    expect((await post("/v1beta/models/gemini-2.5-flash:generateContent?key=wrong")).status).toBe(401);
    expect(
      (await post("/v1/models/gemini-2.5-flash:generateContent", { "x-goog-api-key": "wrong" })).status,
    ).toBe(401);
    // ?key= is read only on Gemini's routes; x-goog-api-key, a header like x-api-key, on every route.
    expect((await fetch(`${fx.server.url}/api/request-logs/?key=${API_KEY}`)).status).toBe(401);
    expect(
      (await fetch(`${fx.server.url}/api/request-logs/`, { headers: { "x-goog-api-key": API_KEY } })).status,
    ).toBe(200);
    const chat = await fetch(`${fx.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": API_KEY },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "keyed" }] }),
    });
    expect(chat.status).toBe(200);
    const byQueryOnChat = await fetch(`${fx.server.url}/v1/chat/completions?key=${API_KEY}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "keyed" }] }),
    });
    expect(byQueryOnChat.status).toBe(401);
  });
});
