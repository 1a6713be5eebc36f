// Gateway overhead, side by side in one run: direct to the upstream (the emulator with a fixed latency), the floor
// proxy, the Keyway gateway (logging on: every call builds a log and ships it through HttpLogSink), the same gateway
// mounted in Express (@keyway/express), keyway serve's own gateway (logging into SQLite, and into Postgres), and Portkey's
// open-source gateway. Sequential requests alternate between targets (A/B/C/D) in rounds; p50 is the median of
// round medians, p99 over every sample. Then concurrency 32 and 64, then stream TTFT.
import { createRequire } from "node:module";
import { startPostgres } from "@keyway/testing";
import { alternatingRounds } from "./lib/alternating-rounds.mjs";
import { startChild } from "./lib/child-server.mjs";
import { post, runConcurrent } from "./lib/http-client.mjs";
import { cpuMicros } from "./lib/process-cpu.mjs";
import { median, percentile, round } from "./lib/stats.mjs";

export async function gatewayOverhead({
  latencyMs = 5,
  rounds = 7,
  perRound = 40,
  concurrentTotal = 2_000,
} = {}) {
  const here = new URL(".", import.meta.url).pathname;
  const upstream = await startChild(`${here}servers/emulator.mjs`, [String(latencyMs)]);
  const logs = await startChild(`${here}servers/log-capture.mjs`);
  const keyway = await startChild(`${here}servers/keyway-gateway.mjs`, [upstream.url, logs.url]);
  const floor = await startChild(`${here}servers/floor-proxy.mjs`, [
    `${upstream.url}/openai/v1/chat/completions`,
  ]);
  const mounted = await startChild(`${here}servers/express-gateway.mjs`, [upstream.url, logs.url]);
  const served = await startChild(`${here}servers/keyway-serve-gateway.mjs`, [upstream.url]);
  // keyway serve on Postgres (Debian's, default durability, a throwaway cluster on the same cores).
  const postgres = await startPostgres({ durable: true });
  const onPostgres = await startChild(`${here}servers/keyway-serve-gateway.mjs`, [
    upstream.url,
    "metrics",
    postgres.url,
  ]);
  const portkeyScript = createRequire(import.meta.url).resolve("@portkey-ai/gateway/build/start-server.js");
  const portkeyPort = 20_000 + Math.floor(Math.random() * 20_000);
  let portkey;
  try {
    portkey = await startChild(portkeyScript, [`--port=${portkeyPort}`, "--headless"], {
      readyPattern: /running at:\s+(http\S+)/,
    });
  } catch (error) {
    console.error(`portkey did not start: ${error.message.slice(0, 300)}`);
  }
  try {
    const targets = [
      {
        name: "direct",
        pid: upstream.child.pid,
        url: `${upstream.url}/openai/v1/chat/completions`,
        headers: {},
      },
      { name: "floor", pid: floor.child.pid, url: floor.url, headers: {} },
      { name: "keyway", pid: keyway.child.pid, url: keyway.url, headers: {} },
      { name: "keyway-express", pid: mounted.child.pid, url: mounted.url, headers: { "x-user": "u1" } },
      { name: "keyway-serve", pid: served.child.pid, url: served.url, headers: {} },
      { name: "keyway-serve-postgres", pid: onPostgres.child.pid, url: onPostgres.url, headers: {} },
      ...(portkey
        ? [
            {
              name: "portkey",
              pid: portkey.child.pid,
              url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
              headers: {
                "x-portkey-provider": "openai",
                "x-portkey-custom-host": `${upstream.url}/openai/v1`,
              },
            },
          ]
        : []),
    ];
    const body = (stream) => ({
      model: "groq/llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hello there" }],
      stream,
    });
    const call = (target, stream) =>
      post(target.url, body(stream), { authorization: "Bearer sk-bench", ...target.headers });
    const results = {
      latencyMs,
      targets: targets.map((t) => t.name),
      sequential: {},
      concurrent: {},
      stream: {},
    };

    for (const stream of [false, true]) {
      const measured = await alternatingRounds(
        targets,
        async (target) => {
          const result = await call(target, stream);
          return { status: result.status, value: stream ? result.ttftMs : result.ms };
        },
        { rounds, perRound },
      );
      const into = stream ? results.stream : results.sequential;
      for (const target of targets)
        into[target.name] = {
          p50: round(measured[target.name].p50, 3),
          p99: round(measured[target.name].p99, 3),
        };
    }

    // Each API face of the core gateway beside the chat route, against a direct call of the same upstream
    // kind: Responses, Messages and Gemini (a groq model: chat upstream) against direct chat, embeddings against direct
    // embeddings. Rounds alternate the calls, as above.
    const base = keyway.url.replace(/\/chat\/completions$/, "");
    const directBase = `${upstream.url}/openai/v1`;
    const model = "groq/llama-3.1-8b-instant";
    const faces = [
      { name: "direct chat", url: `${directBase}/chat/completions`, body: body(false) },
      { name: "chat", url: `${base}/chat/completions`, body: body(false) },
      { name: "responses", url: `${base}/responses`, body: { model, input: "hello there" } },
      {
        name: "messages",
        url: `${base}/messages`,
        body: { model, max_tokens: 64, messages: [{ role: "user", content: "hello there" }] },
      },
      {
        name: "gemini",
        url: `${base.replace(/\/v1$/, "")}/v1beta/models/${model}:generateContent`,
        body: { contents: [{ role: "user", parts: [{ text: "hello there" }] }] },
      },
      {
        name: "direct embeddings",
        url: `${directBase}/embeddings`,
        body: { model: "text-embedding-3-small", input: "hello there" },
      },
      {
        name: "embeddings",
        url: `${base}/embeddings`,
        body: { model: "openai/text-embedding-3-small", input: "hello there" },
      },
    ];
    const measuredFaces = await alternatingRounds(
      faces,
      async (face) => {
        const result = await post(face.url, face.body, {
          authorization: "Bearer sk-bench",
          "x-api-key": "sk-bench",
        });
        return { status: result.status, value: result.ms };
      },
      { rounds, perRound },
    );
    const p50 = (name) => measuredFaces[name].p50;
    results.faces = Object.fromEntries(
      faces.map((face) => [
        face.name,
        {
          p50: round(p50(face.name), 3),
          added: face.name.startsWith("direct")
            ? 0
            : round(
                p50(face.name) - p50(face.name === "embeddings" ? "direct embeddings" : "direct chat"),
                3,
              ),
        },
      ]),
    );

    for (const concurrency of [32, 64]) {
      results.concurrent[concurrency] = {};
      for (const target of targets) {
        await runConcurrent(200, concurrency, () => call(target, false));
        // CPU per request: the target's own process over the measured requests (the client and upstream excluded).
        const cpuBefore = cpuMicros(target.pid);
        const { results: samples, seconds } = await runConcurrent(concurrentTotal, concurrency, () =>
          call(target, false),
        );
        const cpuAfter = cpuMicros(target.pid);
        const ms = samples.map((s) => s.ms);
        results.concurrent[concurrency][target.name] = {
          p50: round(median(ms), 3),
          p99: round(percentile(ms, 0.99), 3),
          rps: Math.round(concurrentTotal / seconds),
          errors: samples.filter((s) => s.status !== 200).length,
          ...(cpuBefore !== undefined && cpuAfter !== undefined
            ? { cpuUsPerRequest: Math.round((cpuAfter - cpuBefore) / concurrentTotal) }
            : {}),
        };
      }
    }
    return results;
  } finally {
    for (const server of [upstream, logs, keyway, mounted, served, onPostgres, floor, portkey])
      server?.stop();
    await postgres.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await gatewayOverhead(), null, 2));
