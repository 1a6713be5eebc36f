import { createHook } from "node:async_hooks";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLogCapture, startProviderEmulator } from "@keyway/testing";
import { describe, expect, it } from "vitest";
import { createGateway } from "../src/gateway/create-gateway.js";
import { MemoryLogSink } from "../src/transport/memory-log-sink.js";

const ask = (content: string) => ({
  model: "groq/llama-3.1-8b-instant",
  messages: [{ role: "user" as const, content }],
});

/** Sockets and timers created while `track` runs that are still alive (not destroyed) afterwards. */
function resourceTracker() {
  const alive = new Map<number, string>();
  const watched = new Set(["TCPWRAP", "TCPCONNECTWRAP", "HTTPCLIENTREQUEST", "Timeout", "FSREQPROMISE"]);
  const hook = createHook({
    init(asyncId, type) {
      if (watched.has(type)) alive.set(asyncId, type);
    },
    destroy(asyncId) {
      alive.delete(asyncId);
    },
  });
  return {
    start: () => hook.enable(),
    stop: () => hook.disable(),
    alive: () => [...alive.values()],
  };
}

describe("gateway.close()", () => {
  it("finishes calls, delivers the logs of the sink it made, and leaves no socket or timer behind", async () => {
    const emulator = await startProviderEmulator();
    const capture = await startLogCapture({ apiKey: "kw_close" });
    const tracker = resourceTracker();
    try {
      tracker.start();
      const gateway = createGateway({
        providers: { groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-close" }] } },
        env: {
          KEYWAY_BASE_URL: capture.url,
          KEYWAY_API_KEY: "kw_close",
          KEYWAY_SPOOL_DIR: mkdtempSync(join(tmpdir(), "keyway-close-")),
        },
        onError: (error) => {
          throw error;
        },
      });
      const stream = await gateway.chat({ ...ask("streamed"), stream: true });
      for await (const _ of stream);
      for (let i = 0; i < 4; i++) await gateway.chat(ask(`call ${i}`));
      await gateway.close();
      await gateway.close(); // idempotent
      expect(capture.logs).toHaveLength(5);
      await expect(gateway.chat(ask("too late"))).rejects.toMatchObject({
        code: "gateway_closed",
        statusCode: 503,
      });
      // Every connection the gateway and its sink opened is closed (the servers' keep-alive would hold them
      // for 5 s), and no socket or timer they made is left (polled on immediates: a timer of ours would count).
      const deadline = Date.now() + 1_000;
      const leftovers = () => [
        ...tracker.alive(),
        ...Array(emulator.openConnections()).fill("upstream connection"),
        ...Array(capture.openConnections()).fill("log endpoint connection"),
      ];
      while (leftovers().length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setImmediate(resolve));
      expect(leftovers()).toEqual([]);
    } finally {
      tracker.stop();
      await capture.close();
      await emulator.close();
    }
  });

  it("lets a call in flight finish before it closes, and flushes a sink it was given without shutting it", async () => {
    const emulator = await startProviderEmulator();
    const sink = new MemoryLogSink();
    try {
      const gateway = createGateway({
        providers: { groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-close" }] } },
        sink,
        env: {},
      });
      emulator.fault({ headerDelayMs: 200, times: 1 });
      const slow = gateway.chat(ask("slow"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await gateway.close();
      expect((await slow).choices[0]?.message.content).toBe("Echo: slow");
      expect(sink.logs).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });

  it("reports a sink or onLog that throws through onError instead of swallowing it", async () => {
    const emulator = await startProviderEmulator();
    const errors: unknown[] = [];
    try {
      const gateway = createGateway({
        providers: { groq: { baseURL: `${emulator.url}/openai/v1`, keys: [{ apiKey: "gsk-close" }] } },
        sink: {
          log: () => {
            throw new Error("sink broke");
          },
          flush: async () => {},
          shutdown: async () => {},
        },
        onLog: () => {
          throw new Error("hook broke");
        },
        onError: (error) => errors.push(error),
        env: {},
      });
      const completion = await gateway.chat(ask("still answered"));
      expect(completion.choices[0]?.message.content).toBe("Echo: still answered");
      expect(errors.map((error) => (error as Error).message)).toEqual(["sink broke", "hook broke"]);
      await gateway.close();
    } finally {
      await emulator.close();
    }
  });
});
