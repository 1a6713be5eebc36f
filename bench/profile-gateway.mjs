// Where the core gateway spends its CPU: keyway-gateway.mjs (or, with `serve`, keyway serve's gateway on SQLite)
// under `node --cpu-prof` at concurrency 32 (half streamed), then the functions with the most self time.
// `node bench/profile-gateway.mjs [seconds] [core|serve]`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChild } from "./lib/child-server.mjs";
import { post, runConcurrent } from "./lib/http-client.mjs";

export async function profileGateway({ seconds = 8, top = 25, target = "core" } = {}) {
  const here = new URL(".", import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), "keyway-profile-"));
  const upstream = await startChild(`${here}servers/emulator.mjs`, ["5"]);
  const logs = await startChild(`${here}servers/log-capture.mjs`);
  const child = spawn(
    process.execPath,
    target === "serve"
      ? ["--cpu-prof", `--cpu-prof-dir=${dir}`, `${here}servers/keyway-serve-gateway.mjs`, upstream.url]
      : ["--cpu-prof", `--cpu-prof-dir=${dir}`, `${here}servers/keyway-gateway.mjs`, upstream.url, logs.url],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise((resolve) =>
    child.stdout.on("data", (data) => {
      const match = /READY (\S+)/.exec(data.toString());
      if (match) resolve(match[1]);
    }),
  );
  const body = (stream) => ({
    model: "groq/llama-3.1-8b-instant",
    messages: [{ role: "user", content: "hello there" }],
    stream,
  });
  const until = performance.now() + seconds * 1000;
  let requests = 0;
  while (performance.now() < until) {
    await runConcurrent(500, 32, () =>
      post(url, body(requests++ % 2 === 1), { authorization: "Bearer sk-bench" }),
    );
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT"); // the server exits on SIGINT, which writes the profile
  await exited;
  upstream.stop();
  logs.stop();
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const frame = node.callFrame;
    const where = frame.url ? `${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
    total += dt[i] ?? 0;
  });
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    requests,
    seconds,
    top: rows.map(([name, micros]) => ({ name, percent: Math.round((1000 * micros) / total) / 10 })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await profileGateway({
    seconds: Number(process.argv[2] ?? 8),
    target: process.argv[3] ?? "core",
  });
  for (const row of result.top) console.log(`${String(row.percent).padStart(5)} %  ${row.name}`);
  console.log(`${result.requests} requests in ${result.seconds} s`);
}
