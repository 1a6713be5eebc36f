import { waitFor } from "@keyway/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayFixture, gatewayFixture } from "./gateway-helpers.js";

// The key each of the fixture's providers holds; an upstream that echoes its key must never pass it on.
const keyOf: Record<string, string> = {
  gpt: "sk-openai-pool",
  claude: "sk-ant-pool",
  gemini: "gemini-pool",
};
const keys = Object.values(keyOf);
const keyFor = (face: Face) =>
  keyOf[Object.keys(keyOf).find((prefix) => JSON.stringify(face).includes(prefix)) as string] as string;

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await gatewayFixture();
});
afterAll(() => fx.close());
beforeEach(() => {
  fx.emulator.reset();
  fx.sink.clear();
});

interface Face {
  name: string;
  path: string;
  body: Record<string, unknown>;
  /** The event a healthy stream of this face ends with. */
  terminal: RegExp;
  /** The face's own error event. */
  error: RegExp;
}

const chat = (model: string): Face => ({
  name: `chat → ${model}`,
  path: "/v1/chat/completions",
  body: { model, stream: true, messages: [{ role: "user", content: "one two three four" }] },
  terminal: /data: \[DONE\]/,
  error: /^data: \{"error":/m,
});
const faces: Face[] = [
  chat("gpt-4o-mini"),
  chat("claude-sonnet-4-5"),
  chat("gemini-2.5-flash"),
  {
    name: "Messages → anthropic (passed through)",
    path: "/v1/messages",
    body: {
      model: "claude-sonnet-4-5",
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "one two three four" }],
    },
    terminal: /event: message_stop/,
    error: /event: error/,
  },
  {
    name: "Responses → openai (passed through)",
    path: "/v1/responses",
    body: { model: "gpt-4o-mini", stream: true, input: "one two three four" },
    terminal: /event: response\.completed/,
    error: /event: error/,
  },
  {
    name: "Gemini → google (passed through)",
    path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    body: { contents: [{ role: "user", parts: [{ text: "one two three four" }] }] },
    terminal: /"finishReason":"STOP"/,
    error: /^data: \{"error":/m,
  },
];

async function streamOf(face: Face): Promise<{ status: number; text: string }> {
  const response = await fx.gateway.fetch(
    new Request(`http://keyway.local${face.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify(face.body),
    }),
  );
  return { status: response.status, text: await response.text() };
}

async function loggedError(): Promise<{ status: string; error_message?: string }> {
  await waitFor(() => fx.sink.logs.length > 0);
  const log = fx.sink.logs.at(-1) as { status: string; error_message?: string } | undefined;
  expect(log).toBeDefined();
  return log as { status: string; error_message?: string };
}

describe("an upstream's stream error never carries the key to the caller", () => {
  for (const face of faces)
    it(face.name, async () => {
      fx.emulator.fault({
        streamError: { afterChunks: 2 },
        errorMessage: `Invalid key ${keyFor(face)} (${Buffer.from(keyFor(face)).toString("base64")}), ${keyFor(face).toUpperCase()}`,
      });
      const { text } = await streamOf(face);
      expect(text).toContain("Invalid key");
      for (const key of keys) expect(text.toLowerCase()).not.toContain(key);
      expect(text).not.toContain(Buffer.from(keyFor(face)).toString("base64"));
      expect(text).toMatch(face.error);
      expect(text).not.toMatch(face.terminal);
      const log = await loggedError();
      expect(log.status).toBe("error");
      for (const key of keys) expect(JSON.stringify(log)).not.toContain(key);
    });

  it("Responses → openai: a response.failed event is an error, to the caller and in the log", async () => {
    const face = faces.find((entry) => entry.path === "/v1/responses") as Face;
    fx.emulator.fault({
      streamError: { afterChunks: 2, event: "response.failed" },
      errorMessage: "upstream failed for sk-openai-pool",
    });
    const { text } = await streamOf(face);
    expect(text).not.toContain("sk-openai-pool");
    expect(text).toMatch(face.error);
    const log = await loggedError();
    expect(log.status).toBe("error");
    expect(log.error_message).toContain("upstream failed");
  });
});

describe("a broken upstream stream is an error, not a success", () => {
  const breaks = [
    { name: "ends before its terminal event", fault: { endAfterChunks: 2 } },
    { name: "ends before any event", fault: { endAfterChunks: 0 } },
    { name: "answers JSON", fault: { notSse: "json" as const } },
    { name: "answers an HTML page", fault: { notSse: "html" as const } },
  ];
  for (const face of faces)
    for (const broken of breaks)
      it(`${face.name}: ${broken.name}`, async () => {
        fx.emulator.fault(broken.fault);
        const { status, text } = await streamOf(face);
        const log = await loggedError();
        expect(log.status).toBe("error");
        expect(log.error_message).toMatch(/sent a|stream/);
        if (status === 200) {
          expect(text).toMatch(face.error);
          expect(text).not.toMatch(face.terminal);
        } else expect(status).toBe(502);
      });
});
