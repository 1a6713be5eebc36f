// keyway serve (another process): ingest throughput, batched (arrays of 100, 8 in flight) and single (one log per
// request, 32 in flight); then query latency with 1,000,000 stored logs; memory over a soak at the batched rate.
import { fork } from "node:child_process";
import { post, runConcurrent } from "./lib/http-client.mjs";
import { sampleLog } from "./lib/sample-log.mjs";
import { median, percentile, round } from "./lib/stats.mjs";

function startServer(db) {
  const child = fork(new URL("./servers/keyway-serve.mjs", import.meta.url).pathname, db ? [db] : [], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  return new Promise((resolve) => {
    child.stdout.on("data", (data) => {
      const match = /READY (\S+)/.exec(data.toString());
      if (match)
        resolve({
          url: match[1],
          child,
          memory: () =>
            new Promise((done) => {
              child.once("message", done);
              child.send("memory");
            }),
        });
    });
  });
}

const auth = { authorization: "Bearer kw_bench" };

export async function serverIngest({
  batches = 400,
  singles = 20_000,
  fill = 1_000_000,
  soakSeconds = 60,
  db = undefined,
} = {}) {
  const server = await startServer(db);
  let next = 0;
  // Every four logs make one trace (a root and three children), as an agent's spans would.
  const traced = (n) => ({
    ...sampleLog(n, "ingest"),
    trace_unique_id: `trace-${process.pid}-${Math.floor(n / 4)}`,
    span_unique_id: `span-${n}`,
    span_name: n % 4 === 0 ? "agent" : "step",
    ...(n % 4 === 0 ? {} : { span_parent_id: `span-${n - (n % 4)}` }),
  });
  const batchBody = () => Array.from({ length: 100 }, () => traced(next++));
  await runConcurrent(20, 8, () => post(`${server.url}/api/request-logs/batch/`, batchBody(), auth));
  const batched = await runConcurrent(batches, 8, () =>
    post(`${server.url}/api/request-logs/batch/`, batchBody(), auth),
  );
  const single = await runConcurrent(singles, 32, () =>
    post(`${server.url}/api/request-logs/create/`, traced(next++), auth),
  );
  // OTLP/HTTP JSON, as a stock exporter sends it: 100 GenAI spans a request, 8 in flight.
  let spanSeq = 0;
  const otlpBody = () => ({
    resourceSpans: [
      {
        scopeSpans: [
          {
            scope: { name: "bench" },
            spans: Array.from({ length: 100 }, () => {
              const n = spanSeq++;
              const start = BigInt(Date.UTC(2026, 10, 1)) * 1_000_000n + BigInt(n) * 1_000_000n;
              return {
                traceId: (n >> 3).toString(16).padStart(32, "0"),
                spanId: (n + 1).toString(16).padStart(16, "0"),
                name: "chat gpt-4o-mini",
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 350_000_000n),
                attributes: [
                  { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
                  { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
                  { key: "gen_ai.provider.name", value: { stringValue: "openai" } },
                  { key: "gen_ai.usage.input_tokens", value: { intValue: "120" } },
                  { key: "gen_ai.usage.output_tokens", value: { intValue: "48" } },
                  {
                    key: "gen_ai.input.messages",
                    value: {
                      stringValue: JSON.stringify([
                        { role: "user", parts: [{ type: "text", content: `question ${n}` }] },
                      ]),
                    },
                  },
                  {
                    key: "respan.customer_params.customer_identifier",
                    value: { stringValue: `customer-${n % 500}` },
                  },
                ],
                status: {},
              };
            }),
          },
        ],
      },
    ],
  });
  const otlpRequests = Math.max(1, Math.round(batches / 2));
  const otlp = await runConcurrent(otlpRequests, 8, () => post(`${server.url}/v1/traces`, otlpBody(), auth));
  const result = {
    otlpSpansPerSecond: Math.round((otlpRequests * 100) / otlp.seconds),
    otlpErrors: otlp.results.filter((r) => r.status !== 200).length,
    batchedLogsPerSecond: Math.round((batches * 100) / batched.seconds),
    batchedErrors: batched.results.filter((r) => r.status !== 200).length,
    singleRequestsPerSecond: Math.round(singles / single.seconds),
    singleErrors: single.results.filter((r) => r.status !== 201).length,
  };

  // Fill to `fill` logs at the batched rate, then time queries.
  const fillStarted = performance.now();
  while (next < fill)
    await runConcurrent(Math.min(200, Math.ceil((fill - next) / 100)), 8, () =>
      post(`${server.url}/api/request-logs/batch/`, batchBody(), auth),
    );
  result.fillSeconds = round((performance.now() - fillStarted) / 1000, 1);
  const query = async (path, runs = 7) => {
    const times = [];
    let body;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const response = await fetch(`${server.url}${path}`, { headers: auth });
      body = await response.json();
      times.push(performance.now() - started);
    }
    return { medianMs: round(median(times), 1), body };
  };
  const all = await query("/api/metrics/?group_by=none");
  const lastTimestamp = Date.parse(sampleLog(next - 1, "ingest").timestamp);
  const dayWindow = `start_time=${lastTimestamp - 86_400_000}&end_time=${lastTimestamp}`;
  result.storedLogs = all.body.summary.count;
  result.queries = {
    "metrics, all logs": all.medianMs,
    "metrics by model": (await query("/api/metrics/?group_by=model")).medianMs,
    "metrics by customer": (await query("/api/metrics/?group_by=customer")).medianMs,
    "metrics by hour": (await query("/api/metrics/?group_by=time&bucket=hour")).medianMs,
    "metrics, one customer": (await query("/api/metrics/?customer_identifier=customer-7")).medianMs,
    // What the dashboard asks by default: a one-day window (here the last day of the filled data, 86,400 logs).
    "metrics, one day": (await query(`/api/metrics/?group_by=none&${dayWindow}`)).medianMs,
    "metrics by model, one day": (await query(`/api/metrics/?group_by=model&${dayWindow}`)).medianMs,
    "metrics by customer, one day": (await query(`/api/metrics/?group_by=customer&${dayWindow}`)).medianMs,
    "metrics by minute, one day": (await query(`/api/metrics/?group_by=time&bucket=minute&${dayWindow}`))
      .medianMs,
    "list, newest 50": (await query("/api/request-logs/?limit=50")).medianMs,
    "list, one customer": (await query("/api/request-logs/?customer_identifier=customer-7&limit=50"))
      .medianMs,
    "list, text search": (await query("/api/request-logs/?search=order%20number%20777777&limit=50", 3))
      .medianMs,
    // The dashboard's own reads: the trace list, a customer's traces, one trace (its customers list is "metrics by
    // customer, one day" above).
    "traces, newest 50": (await query("/api/traces/?limit=50")).medianMs,
    "traces, one customer": (await query("/api/traces/?customer_identifier=customer-8&limit=50")).medianMs,
    "one trace": (await query(`/api/traces/trace-${process.pid}-${Math.floor(next / 8)}`)).medianMs,
  };

  // /healthz while the heaviest query (a text search over every log) runs back to back for 5 s.
  const heavyPath = "/api/request-logs/?search=no%20such%20text%20anywhere&limit=50";
  const healthTimes = [];
  const heavyTimes = [];
  const heavyUntil = performance.now() + 5_000;
  const heavy = (async () => {
    while (performance.now() < heavyUntil) {
      const started = performance.now();
      await (await fetch(`${server.url}${heavyPath}`, { headers: auth })).arrayBuffer();
      heavyTimes.push(performance.now() - started);
    }
  })();
  while (performance.now() < heavyUntil) {
    const started = performance.now();
    await (await fetch(`${server.url}/healthz`)).arrayBuffer();
    healthTimes.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await heavy;
  result.healthDuringHeavyQuery = {
    query: heavyPath,
    queryMedianMs: round(median(heavyTimes), 1),
    healthSamples: healthTimes.length,
    healthP50Ms: round(percentile(healthTimes, 0.5), 2),
    healthP99Ms: round(percentile(healthTimes, 0.99), 2),
  };

  // Soak: batched ingest for soakSeconds, RSS sampled every 5 s.
  const samples = [];
  const soakStarted = performance.now();
  let soaked = 0;
  while (performance.now() - soakStarted < soakSeconds * 1000) {
    await runConcurrent(100, 8, () => post(`${server.url}/api/request-logs/batch/`, batchBody(), auth));
    soaked += 10_000;
    if (samples.length === 0 || performance.now() - soakStarted > samples.length * 5_000)
      samples.push(Math.round((await server.memory()).rss / 1024 / 1024));
  }
  result.soak = {
    seconds: soakSeconds,
    logs: soaked,
    logsPerSecond: Math.round(soaked / ((performance.now() - soakStarted) / 1000)),
    rssMiB: samples,
  };
  server.child.kill("SIGKILL");
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(
    JSON.stringify(
      await serverIngest({
        fill: Number(process.argv[2] ?? 1_000_000),
        soakSeconds: Number(process.argv[3] ?? 60),
      }),
      null,
      2,
    ),
  );
