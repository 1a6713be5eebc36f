import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type ServerFixture, serverFixture } from "./server-fixture.js";

let fx: ServerFixture;
beforeAll(async () => {
  fx = await serverFixture();
});
afterAll(() => fx.close());

const logs = async (type: string) =>
  (
    (await (await fx.call(`/api/request-logs/?log_source=gateway&limit=100`)).json()) as {
      results: Record<string, unknown>[];
    }
  ).results.filter((log) => log.log_type === type);

describe("keyway serve's gateway for the AI SDK's own providers", () => {
  it("@ai-sdk/openai (the Responses API by default): generateText and streamText, any provider behind it", async () => {
    const openai = createOpenAI({ baseURL: `${fx.server.url}/v1`, apiKey: API_KEY });
    const generated = await generateText({
      model: openai("groq/llama-3.1-8b-instant"),
      prompt: "ai sdk responses",
    });
    expect(generated.text).toBe("Echo: ai sdk responses");
    expect(generated.usage.outputTokens).toBe(4);
    const streamed = streamText({ model: openai("claude-sonnet-4-5"), prompt: "ai sdk responses stream" });
    expect(await streamed.text).toBe("Echo: ai sdk responses stream");
    expect((await streamed.usage).outputTokens).toBe(5);
    expect((await logs("response")).map((log) => log.model).sort()).toEqual([
      "claude-sonnet-4-5",
      "groq/llama-3.1-8b-instant",
    ]);
  });

  it("@ai-sdk/anthropic (the Messages API): generateText and streamText, any provider behind it", async () => {
    const anthropic = createAnthropic({ baseURL: `${fx.server.url}/v1`, apiKey: API_KEY });
    const generated = await generateText({
      model: anthropic("claude-sonnet-4-5"),
      prompt: "ai sdk messages",
    });
    expect(generated.text).toBe("Echo: ai sdk messages");
    expect(generated.finishReason).toBe("stop");
    const streamed = streamText({
      model: anthropic("groq/llama-3.1-8b-instant"),
      prompt: "ai sdk messages stream",
    });
    expect(await streamed.text).toBe("Echo: ai sdk messages stream");
    expect((await streamed.usage).outputTokens).toBe(5);
    const chats = (await logs("chat")).filter((log) =>
      String(log.completion_message && (log.completion_message as { content?: string }).content).includes(
        "ai sdk messages",
      ),
    );
    expect(chats).toHaveLength(2);
  });

  it("@ai-sdk/google (the Gemini API): generateText and streamText, a Gemini model passed through and groq translated", async () => {
    const google = createGoogleGenerativeAI({ baseURL: `${fx.server.url}/v1beta`, apiKey: API_KEY });
    const generated = await generateText({ model: google("gemini-2.5-flash"), prompt: "ai sdk gemini" });
    expect(generated.text).toBe("Echo: ai sdk gemini");
    expect(generated.finishReason).toBe("stop");
    expect(generated.usage.outputTokens).toBe(4);
    const streamed = streamText({
      model: google("groq/llama-3.1-8b-instant"),
      prompt: "ai sdk gemini stream",
    });
    expect(await streamed.text).toBe("Echo: ai sdk gemini stream");
    expect(await streamed.finishReason).toBe("stop");
    expect((await streamed.usage).outputTokens).toBe(5);
    const chats = (await logs("chat")).filter((log) =>
      String((log.completion_message as { content?: string } | undefined)?.content).includes("ai sdk gemini"),
    );
    expect(chats.map((log) => [log.model, log.stream, log.completion_tokens]).sort()).toEqual([
      ["gemini-2.5-flash", false, 4],
      ["groq/llama-3.1-8b-instant", true, 5],
    ]);
    const upstream = fx.emulator.requests.filter((r) => JSON.stringify(r.body).includes("ai sdk gemini"));
    expect(upstream.map((r) => [r.format, r.apiKey])).toEqual([
      ["google-gemini", "gemini-server-pool"],
      ["openai-chat", "gsk-server-pool"],
    ]);
  });
});
