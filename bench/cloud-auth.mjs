// What the clouds' auth costs (issue 26): the latency and CPU per call of a Bedrock call (SigV4-signed), a Vertex
// AI call (its OAuth token cached) and an Azure call (api-key, deployment path) beside a plain bearer provider,
// through one in-process gateway (`gateway.fetch`, no HTTP hop on Keyway's side). Upstream: the emulator with the
// clouds set up, in its own process, so its signature checks are not counted here. Latency: targets alternate
// request by request in rounds (p50 = median of round medians); CPU: this process's user+system time over a run
// of calls to one target, per call.
import { createGateway } from "@keyway/core";
import { alternatingRounds } from "./lib/alternating-rounds.mjs";
import { startChild } from "./lib/child-server.mjs";
import { round } from "./lib/stats.mjs";

export async function cloudAuth({ latencyMs = 5, rounds = 7, perRound = 40, cpuCalls = 400 } = {}) {
  const here = new URL(".", import.meta.url).pathname;
  const upstream = await startChild(`${here}servers/cloud-emulator.mjs`, [String(latencyMs)]);
  const { url, providers } = JSON.parse(Buffer.from(upstream.url, "base64").toString("utf8"));
  const gateway = createGateway({
    providers: { ...providers, openai: { baseURL: `${url}/v1`, apiKey: "sk-bench-bearer" } },
    onLog: () => {},
    env: {},
  });
  const call = async (model) => {
    const started = performance.now();
    const response = await gateway.fetch("http://keyway.local/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hello there" }] }),
    });
    await response.arrayBuffer();
    return { status: response.status, value: performance.now() - started };
  };
  const targets = [
    { name: "bearer (openai)", model: "gpt-4o-mini" },
    { name: "azure (api-key)", model: "azure/gpt-4o" },
    { name: "bedrock (SigV4)", model: "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0" },
    { name: "vertex_ai (cached token)", model: "vertex_ai/gemini-2.5-flash" },
  ];
  try {
    const measured = await alternatingRounds(targets, (target) => call(target.model), { rounds, perRound });
    const cpuUs = {};
    for (const target of targets) {
      const before = process.cpuUsage();
      for (let i = 0; i < cpuCalls; i++) await call(target.model);
      const used = process.cpuUsage(before);
      cpuUs[target.name] = round((used.user + used.system) / cpuCalls, 1);
    }
    const bearer = targets[0].name;
    return {
      latencyMs,
      p50: Object.fromEntries(targets.map((t) => [t.name, round(measured[t.name].p50, 3)])),
      p99: Object.fromEntries(targets.map((t) => [t.name, round(measured[t.name].p99, 3)])),
      cpuUsPerCall: cpuUs,
      addedMs: Object.fromEntries(
        targets.slice(1).map((t) => [t.name, round(measured[t.name].p50 - measured[bearer].p50, 3)]),
      ),
      addedCpuUs: Object.fromEntries(
        targets.slice(1).map((t) => [t.name, round(cpuUs[t.name] - cpuUs[bearer], 1)]),
      ),
    };
  } finally {
    await gateway.close();
    upstream.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await cloudAuth(), null, 2));
