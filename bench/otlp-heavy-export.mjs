// keyway serve (another process): /healthz latency while the heaviest OTLP exports the default limits allow are
// ingested — 10,000 GenAI spans as JSON (about 12 MB), and a gzipped protobuf of 10,000,000 empty spans (20 MB
// inflated, all but 10,000 rejected by count). /healthz is asked every 5 ms from this process.
import { fork } from "node:child_process";
import http from "node:http";
import { gzipSync } from "node:zlib";
import { percentile, round } from "./lib/stats.mjs";

function startServer() {
  const child = fork(new URL("./servers/keyway-serve.mjs", import.meta.url).pathname, [], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  return new Promise((resolve) => {
    child.stdout.on("data", (data) => {
      const match = /READY (\S+)/.exec(data.toString());
      if (match) resolve({ url: match[1], child });
    });
  });
}

const agent = new http.Agent({ keepAlive: true });
function request(url, { method = "GET", body, headers = {} } = {}) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      { agent, method, hostname: target.hostname, port: target.port, path: target.pathname, headers },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function jsonExport(count) {
  const attributes = [
    { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
    { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
    { key: "gen_ai.system", value: { stringValue: "openai" } },
    { key: "gen_ai.usage.input_tokens", value: { intValue: 12 } },
    { key: "gen_ai.usage.output_tokens", value: { intValue: 7 } },
    { key: "gen_ai.prompt", value: { stringValue: "x".repeat(1_000) } },
  ];
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(32, "b"),
    spanId: (i + 1).toString(16).padStart(16, "0"),
    name: "chat gpt-4o-mini",
    startTimeUnixNano: "1763630000000000000",
    endTimeUnixNano: "1763630001000000000",
    attributes,
  }));
  return Buffer.from(
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ scope: { name: "bench" }, spans }] }] }),
  );
}

function emptySpansProtobuf(count) {
  const spans = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) spans[i * 2] = 0x12;
  const varint = (n) => {
    const bytes = [];
    while (n > 0x7f) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    return Buffer.from(bytes);
  };
  const wrap = (tag, inner) => Buffer.concat([Buffer.from([tag]), varint(inner.length), inner]);
  return gzipSync(wrap(0x0a, wrap(0x12, spans)));
}

async function healthDuring(server, body, headers) {
  let done = false;
  const latencies = [];
  const exported = request(`${server.url}/v1/traces`, {
    method: "POST",
    body,
    headers: { authorization: "Bearer kw_bench", "content-length": body.length, ...headers },
  }).finally(() => {
    done = true;
  });
  while (!done) {
    latencies.push((await request(`${server.url}/healthz`)).ms);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const answer = await exported;
  return {
    status: answer.status,
    exportMs: round(answer.ms),
    healthzSamples: latencies.length,
    healthzP50Ms: round(percentile(latencies, 0.5), 1),
    healthzMaxMs: round(Math.max(...latencies), 1),
  };
}

export async function otlpHeavyExport() {
  const server = await startServer();
  try {
    const json = jsonExport(10_000);
    return {
      json10kSpans: {
        bytes: json.length,
        ...(await healthDuring(server, json, { "content-type": "application/json" })),
      },
      protobuf10MEmptySpans: await healthDuring(server, emptySpansProtobuf(10_000_000), {
        "content-type": "application/x-protobuf",
        "content-encoding": "gzip",
      }),
    };
  } finally {
    server.child.kill("SIGINT");
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await otlpHeavyExport(), null, 2));
