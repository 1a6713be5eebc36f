import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { RequestLog } from "@keyway/core";
import { startPostgres, type TestPostgres } from "@keyway/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogFilters, LogStore, MetricsGroup } from "../src/store/log-store.js";
import { migrations as sqliteMigrations } from "../src/store/migrations.js";
import { PostgresLogStore } from "../src/store/postgres-log-store.js";
import { postgresMigrations } from "../src/store/postgres-schema.js";
import { SqliteLogStore } from "../src/store/sqlite-log-store.js";

/** One store under test: how to open a fresh one, reopen the same one, and step its schema back one version. */
interface StoreKind {
  name: string;
  fresh(): Promise<{
    store: LogStore;
    reopen(): Promise<LogStore>;
    /** The schema version recorded, and how many times each version was applied. */
    versions(): Promise<number[]>;
    /** Drops what this release's migrations made (customer rollup, traces, …): the version before. Says how many. */
    downgrade(): Promise<number>;
  }>;
}

let postgres: TestPostgres;
let databases = 0;
beforeAll(async () => {
  postgres = await startPostgres();
}, 30_000);
afterAll(() => postgres?.stop());

const kinds: StoreKind[] = [
  {
    name: "SQLite",
    async fresh() {
      const path = join(mkdtempSync(join(tmpdir(), "keyway-contract-")), "logs.db");
      const store = new SqliteLogStore(path);
      return {
        store,
        reopen: async () => new SqliteLogStore(path),
        async versions() {
          const db = new DatabaseSync(path);
          const { user_version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
          db.close();
          return Array.from({ length: user_version }, (_, i) => i + 1);
        },
        async downgrade() {
          const db = new DatabaseSync(path);
          db.exec(
            `DROP TABLE metrics_rollup_customer_day; DROP TABLE traces; DROP TABLE rollup_watermark; PRAGMA user_version = ${sqliteMigrations.length - 3};`,
          );
          db.close();
          return 3;
        },
      };
    },
  },
  {
    name: "Postgres",
    async fresh() {
      const url = await postgres.createDatabase(`contract_${++databases}`);
      const store = await PostgresLogStore.open(url);
      const sql = async <T extends pg.QueryResultRow>(text: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query<T>(text)).rows;
        } finally {
          await client.end();
        }
      };
      return {
        store,
        reopen: () => PostgresLogStore.open(url),
        versions: async () =>
          (await sql<{ version: number }>("SELECT version FROM keyway_migrations ORDER BY version")).map(
            (row) => row.version,
          ),
        async downgrade() {
          await sql(
            `DROP TABLE metrics_rollup_customer_day; DROP TABLE traces; DELETE FROM keyway_migrations WHERE version >= ${postgresMigrations.length - 2}`,
          );
          return 3;
        },
      };
    },
  },
];

const T0 = Date.UTC(2026, 10, 1);
/** A stored log: model calls and spans, three customers, errors, two threads and traces, over three days. */
function makeLog(i: number): RequestLog {
  const span = i % 10 === 9;
  return {
    unique_id: `c-${i}`,
    timestamp: new Date(T0 + i * 7_919_000).toISOString(),
    ...(span ? {} : { model: i % 3 === 0 ? "claude-sonnet-4-5" : "gpt-4o-mini" }),
    ...(span ? {} : { provider_id: i % 3 === 0 ? "anthropic" : "openai" }),
    customer_params: { customer_identifier: `cust-${i % 3}` },
    status_code: i % 7 === 0 ? 500 : 200,
    ...(i % 7 === 0 ? { status: "error" } : {}),
    thread_identifier: `thread-${i % 2}`,
    trace_unique_id: `trace-${Math.floor(i / 5)}`,
    span_unique_id: `span-${i}`,
    ...(i % 5 === 0
      ? { span_name: `agent ${i}` }
      : { span_parent_id: `span-${i - (i % 5)}`, span_name: `step ${i}` }),
    log_source: i % 4 === 0 ? "langchain" : "gateway",
    prompt_messages: [
      { role: "user", content: `question ${i}${i === 13 ? " with 100% _literal_ text" : ""}` },
    ],
    completion_message: { role: "assistant", content: `answer ${i}` },
    prompt_tokens: 10 + i,
    completion_tokens: 5 + (i % 4),
    total_tokens: 15 + i + (i % 4),
    cost: (10 + i) * 0.000001,
    latency: 0.1 + (i % 10) * 0.05,
    time_to_first_token: 0.02 + (i % 5) * 0.01,
  } as RequestLog;
}
const LOGS = Array.from({ length: 60 }, (_, i) => makeLog(i));
const ids = (logs: RequestLog[]) => logs.map((log) => log.unique_id);
const newestFirst = (logs: RequestLog[]) =>
  [...logs].sort((a, b) => Date.parse(b.timestamp ?? "") - Date.parse(a.timestamp ?? ""));

describe.each(kinds)("LogStore contract: $name", (kind) => {
  let store: LogStore;
  let handle: Awaited<ReturnType<StoreKind["fresh"]>>;
  beforeAll(async () => {
    handle = await kind.fresh();
    store = handle.store;
    expect(await store.insert(LOGS.slice(0, 40))).toEqual({ inserted: 40, duplicates: 0 });
    // Ids seen before, and one id twice in the same write: each stored once.
    expect(await store.insert([...LOGS.slice(30, 60), LOGS[59] as RequestLog])).toEqual({
      inserted: 20,
      duplicates: 11,
    });
  }, 30_000);
  afterAll(() => store?.close());

  it("counts and gets logs by unique_id, as stored", async () => {
    expect(await store.count()).toBe(60);
    expect(await store.get("c-7")).toEqual(LOGS[7]);
    expect(await store.get("nope")).toBeUndefined();
  });

  it("lists newest first with every filter", async () => {
    const expectList = async (filters: LogFilters, predicate: (log: RequestLog, i: number) => boolean) => {
      const page = await store.list(filters, { limit: 100 });
      expect(ids(page.logs), JSON.stringify(filters)).toEqual(ids(newestFirst(LOGS.filter(predicate))));
    };
    await expectList({}, () => true);
    await expectList({ customer: "cust-1" }, (_, i) => i % 3 === 1);
    await expectList({ model: "claude-sonnet-4-5" }, (log) => log.model === "claude-sonnet-4-5");
    await expectList({ provider: "openai" }, (log) => log.provider_id === "openai");
    await expectList({ status: "500" }, (_, i) => i % 7 === 0);
    await expectList({ status: "error" }, (_, i) => i % 7 === 0);
    await expectList({ status: "success" }, (_, i) => i % 7 !== 0);
    await expectList({ thread: "thread-1" }, (_, i) => i % 2 === 1);
    await expectList({ trace: "trace-3" }, (_, i) => Math.floor(i / 5) === 3);
    await expectList({ logSource: "langchain" }, (_, i) => i % 4 === 0);
    await expectList({ modelCalls: true }, (log) => log.model !== undefined);
    await expectList({ search: "ANSWER 4" }, (_, i) => String(i).startsWith("4"));
    await expectList({ search: "100% _literal_" }, (_, i) => i === 13);
    await expectList({ search: "100%_" }, () => false);
    const from = T0 + 10 * 7_919_000;
    const to = T0 + 20 * 7_919_000;
    await expectList({ from, to }, (_, i) => i >= 10 && i <= 20);
    await expectList(
      { from, to, customer: "cust-2", status: "success" },
      (_, i) => i >= 10 && i <= 20 && i % 3 === 2 && i % 7 !== 0,
    );
  });

  it("pages with a cursor without gaps or repeats, and stops a page at maxChars", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({}, { limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page.logs));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids(newestFirst(LOGS)));
    const small = await store.list({}, { limit: 50, maxChars: 1 });
    expect(small.logs).toHaveLength(1);
    expect(small.nextCursor).toBeDefined();
  });

  it("computes metrics by every grouping, the same from the rollups and from the logs", async () => {
    const expected = (logs: RequestLog[]) => ({
      count: logs.length,
      errors: logs.filter((log) => (log.status_code ?? 200) >= 400).length,
      prompt_tokens: logs.reduce((sum, log) => sum + (log.prompt_tokens ?? 0), 0),
      cost: Math.round(logs.reduce((sum, log) => sum + (log.cost ?? 0), 0) * 1e9) / 1e9,
    });
    const all = await store.metrics({}, "none");
    expect(all.summary).toMatchObject(expected(LOGS));
    expect(all.summary.latency.p50).toBeGreaterThan(0);
    const byCustomer = await store.metrics({}, "customer");
    expect(byCustomer.groups.map((g) => [g.key, g.count])).toEqual([
      ["cust-0", 20],
      ["cust-1", 20],
      ["cust-2", 20],
    ]);
    expect(byCustomer.groups[1]).toMatchObject(expected(LOGS.filter((_, i) => i % 3 === 1)));
    const byModel = await store.metrics({}, "model");
    expect(Object.fromEntries(byModel.groups.map((g) => [String(g.key), g.count]))).toEqual({
      "gpt-4o-mini": LOGS.filter((l) => l.model === "gpt-4o-mini").length,
      "claude-sonnet-4-5": LOGS.filter((l) => l.model === "claude-sonnet-4-5").length,
      null: 6,
    });
    const groupings: [MetricsGroup, number?][] = [
      ["none"],
      ["model"],
      ["provider"],
      ["customer"],
      ["log_source"],
      ["time", 60_000],
      ["time", 3_600_000],
      ["time", 86_400_000],
    ];
    for (const [groupBy, bucket] of groupings) {
      // Whole periods (the rollups), a window cut mid-period (rollups and the logs at its edges), and a text
      // filter every log matches (the logs alone): one answer.
      const fromRollups = await store.metrics({}, groupBy, bucket);
      const edges = await store.metrics({ from: T0 - 1_234, to: T0 + 59 * 7_919_000 + 1 }, groupBy, bucket);
      const fromLogs = await store.metrics({ search: "question" }, groupBy, bucket);
      expect(edges, `${groupBy} ${bucket}`).toEqual(fromRollups);
      expect(fromLogs, `${groupBy} ${bucket}`).toEqual(fromRollups);
    }
    const oneCustomerDay = await store.metrics(
      { customer: "cust-0", from: T0, to: T0 + 86_400_000 - 1 },
      "none",
    );
    expect(oneCustomerDay.summary.count).toBe(
      LOGS.filter((_, i) => i % 3 === 0 && i * 7_919_000 < 86_400_000).length,
    );
  });

  it("lists traces newest first (by customer, by page) and answers one trace with its spans in order", async () => {
    const all = await store.traces({}, { limit: 100 });
    expect(all.traces.map((t) => t.trace_unique_id)).toEqual(
      Array.from({ length: 12 }, (_, t) => `trace-${11 - t}`),
    );
    const trace3 = all.traces.find((t) => t.trace_unique_id === "trace-3");
    const spans = LOGS.slice(15, 20);
    expect(trace3).toEqual({
      trace_unique_id: "trace-3",
      start_ms: Date.parse(spans[0]?.timestamp ?? "") - Math.round((spans[0]?.latency ?? 0) * 1000),
      end_ms: Date.parse(spans[4]?.timestamp ?? ""),
      spans: 5,
      model_calls: spans.filter((log) => log.model).length,
      total_tokens: spans.reduce((sum, log) => sum + (log.total_tokens ?? 0), 0),
      cost: expect.closeTo(
        spans.reduce((sum, log) => sum + (log.cost ?? 0), 0),
        12,
      ),
      errors: spans.filter((log) => (log.status_code ?? 200) >= 400).length,
      customer_identifier: "cust-0",
      root_name: "agent 15",
    });
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.traces({}, { limit: 5, ...(cursor ? { cursor } : {}) });
      paged.push(...page.traces.map((t) => t.trace_unique_id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.traces.map((t) => t.trace_unique_id));
    expect(
      (await store.traces({ customer: "cust-1" }, { limit: 100 })).traces.map((t) => t.trace_unique_id),
    ).toEqual(all.traces.filter((t) => t.customer_identifier === "cust-1").map((t) => t.trace_unique_id));
    const detail = await store.trace("trace-3");
    expect(detail?.trace).toEqual(trace3);
    expect(detail?.spans.map((span) => span.unique_id)).toEqual(ids(spans));
    expect(await store.trace("no-such-trace")).toBeUndefined();
  });

  it("migrates from empty once when several instances start at once, and from the previous version", async () => {
    const before = await store.metrics({}, "customer");
    const tracesBefore = await store.traces({}, { limit: 100 });
    const opened = await Promise.all([handle.reopen(), handle.reopen(), handle.reopen()]);
    await Promise.all(opened.map((other) => other.close()));
    const versions = await handle.versions();
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    expect(versions.length).toBeGreaterThanOrEqual(3);

    await store.close();
    const stepped = await handle.downgrade();
    expect(await handle.versions()).toHaveLength(versions.length - stepped);
    store = await handle.reopen();
    expect(await handle.versions()).toEqual(versions);
    // The customer rollup and the traces table are built from the logs already stored.
    expect(await store.metrics({}, "customer")).toEqual(before);
    expect(await store.traces({}, { limit: 100 })).toEqual(tracesBefore);
    expect(await store.count()).toBe(60);
  });
});
