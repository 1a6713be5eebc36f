// A lean HTTP client for load generation: node:http with a keep-alive agent, so the client adds little of its own.
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * POSTs a JSON body; resolves with { ms, status, ttftMs } where ms is the time to the complete response and ttftMs the
 * time to the first body bytes that carry an SSE `data:` event (streams) or to the first body bytes.
 */
export function post(url, body, headers = {}) {
  const target = new URL(url);
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttftMs;
    const req = http.request(
      {
        agent,
        method: "POST",
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        res.on("data", (chunk) => {
          if (
            ttftMs === undefined &&
            (res.headers["content-type"]?.includes("event-stream") ? chunk.includes("data:") : true)
          )
            ttftMs = performance.now() - started;
        });
        res.on("end", () => resolve({ ms: performance.now() - started, status: res.statusCode, ttftMs }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Runs `total` calls of `fn` with `concurrency` workers; resolves with each call's result and the wall time. */
export async function runConcurrent(total, concurrency, fn) {
  const results = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        results.push(await fn());
      }
    }),
  );
  return { results, seconds: (performance.now() - started) / 1000 };
}
