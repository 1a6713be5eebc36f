// The small costs the "Cost per call" changes rest on, each measured alone in this process:
// - `SqliteLogStore`: CPU per log at 1, 2, 4 and 32 logs per write (one write is one transaction);
// - joining the caller's signal and a timeout: `AbortSignal.any` against a listener aborting one controller;
// - `normalizeGatewayLog` on a 25-field gateway log.
// `node micro-costs.mjs [checkout]`: the store and the normalisation of another checkout (a baseline) when given.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const perCall = (fn, count) => {
  for (let index = 0; index < count / 4; index++) fn();
  const started = performance.now();
  for (let index = 0; index < count; index++) fn();
  return Math.round(((performance.now() - started) / count) * 100_000) / 100;
};

const gatewayLog = (id) => ({
  unique_id: id,
  model: "groq/llama-3.1-8b-instant",
  provider_id: "groq",
  log_type: "chat",
  log_source: "gateway",
  status_code: 200,
  status: "success",
  timestamp: new Date().toISOString(),
  prompt_tokens: 10,
  completion_tokens: 20,
  total_tokens: 30,
  cost: 0.0001,
  latency: 0.01,
  time_to_first_token: 0.005,
  stream: false,
  prompt_messages: [{ role: "user", content: "hello there" }],
  completion_message: { role: "assistant", content: "Hello! How can I help you today?" },
  metadata: {},
  temperature: 0.7,
  max_tokens: 100,
  customer_params: { customer_identifier: "c1" },
  finish_reason: "stop",
  attempts: 1,
  upstream_model: "llama-3.1-8b-instant",
  key_fingerprint: "key_abcdef123456",
});

export async function microCosts({ checkout = new URL("..", import.meta.url).pathname } = {}) {
  const { SqliteLogStore } = await import(`${checkout}/packages/server/dist/store/sqlite-log-store.js`);
  const core = await import(`${checkout}/packages/core/dist/index.js`);
  const sqliteCpuUsPerLog = {};
  for (const perWrite of [1, 2, 4, 32]) {
    const store = new SqliteLogStore(join(mkdtempSync(join(tmpdir(), "keyway-micro-")), "keyway.db"));
    let next = 0;
    const round = () =>
      Promise.all(Array.from({ length: perWrite }, () => store.insert([gatewayLog(`log-${next++}`)])));
    for (let index = 0; index < 2_000 / perWrite; index++) await round();
    const logs = 20_000;
    const before = process.cpuUsage();
    for (let done = 0; done < logs; done += perWrite) await round();
    const used = process.cpuUsage(before);
    sqliteCpuUsPerLog[perWrite] = Math.round((used.user + used.system) / logs);
    await store.close();
  }
  const abortSignalAnyUs = perCall(() => {
    const caller = new AbortController();
    AbortSignal.any([caller.signal, new AbortController().signal]);
  }, 200_000);
  const listenerUs = perCall(() => {
    const caller = new AbortController();
    const upstream = new AbortController();
    caller.signal.addEventListener("abort", () => upstream.abort(caller.signal.reason), { once: true });
  }, 200_000);
  const normalize = core.normalizeGatewayLog ?? ((log) => core.normalizeLog(core.repairLog(log)));
  const log = gatewayLog("normalized");
  return {
    sqliteCpuUsPerLog,
    joinSignalsUs: { abortSignalAny: abortSignalAnyUs, listener: listenerUs },
    normalizeGatewayLogUs: perCall(() => normalize(log), 100_000),
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(
    JSON.stringify(await microCosts(process.argv[2] ? { checkout: process.argv[2] } : {}), null, 2),
  );
