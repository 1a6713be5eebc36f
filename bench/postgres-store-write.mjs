// Postgres writes alone, without HTTP: 100-log batches, 8 at once, into `PostgresLogStore` on a throwaway durable
// cluster (Debian's PostgreSQL, on the same cores). Reported: logs/s, CPU µs per log of this process (the client:
// rows, parameters, the pg driver) and of every postgres process, and the time each kind of statement took.
// `node postgres-store-write.mjs [checkout] [batches]`: the store of another checkout (a baseline) when given.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { normalizeLog } from "@keyway/core";
import { startPostgres } from "@keyway/testing";
import { cpuMicros } from "./lib/process-cpu.mjs";
import { sampleLog } from "./lib/sample-log.mjs";

const postgresCpu = () => {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name)))
    try {
      if (readFileSync(`/proc/${pid}/stat`, "utf8").includes("(postgres)")) total += cpuMicros(pid) ?? 0;
    } catch {}
  return total;
};

export async function postgresStoreWrite({
  checkout = new URL("..", import.meta.url).pathname,
  batches = 400,
} = {}) {
  const server = `${checkout}/packages/server`;
  const { PostgresLogStore } = await import(`${server}/dist/store/postgres-log-store.js`);
  // The driver the store uses, so each statement can be timed.
  const pg = createRequire(`${server}/package.json`)("pg");
  const times = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (text, ...rest) {
    const sql = (typeof text === "string" ? text : (text?.text ?? "")).replace(/\s+/g, " ").slice(0, 40);
    const started = performance.now();
    const answer = query.call(this, text, ...rest);
    answer?.then?.(
      () => times.set(sql, (times.get(sql) ?? 0) + performance.now() - started),
      () => {},
    );
    return answer;
  };
  const postgres = await startPostgres({ durable: true });
  const store = await PostgresLogStore.open(postgres.url);
  try {
    let next = 0;
    const batch = () =>
      Array.from({ length: 100 }, () =>
        normalizeLog({
          ...sampleLog(next, "ingest"),
          trace_unique_id: `trace-${Math.floor(next / 4)}`,
          span_unique_id: `span-${next++}`,
        }),
      );
    for (let index = 0; index < 20; index++) await store.insert(batch());
    times.clear();
    const logs = batches * 100;
    const prepared = Array.from({ length: batches }, batch);
    const [client, database, started] = [process.cpuUsage(), postgresCpu(), performance.now()];
    let taken = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (taken < batches) await store.insert(prepared[taken++]);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(client);
    return {
      logsPerSecond: Math.round(logs / seconds),
      clientCpuUsPerLog: Math.round((used.user + used.system) / logs),
      postgresCpuUsPerLog: Math.round((postgresCpu() - database) / logs),
      statementMs: Object.fromEntries(
        [...times].sort((a, b) => b[1] - a[1]).map(([sql, ms]) => [sql, Math.round(ms)]),
      ),
    };
  } finally {
    pg.Client.prototype.query = query;
    await store.close();
    await postgres.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [checkout, batches] = process.argv.slice(2);
  const result = await postgresStoreWrite({
    ...(checkout ? { checkout } : {}),
    ...(batches ? { batches: Number(batches) } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
