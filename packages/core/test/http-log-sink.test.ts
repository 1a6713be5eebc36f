import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LogCapture, startLogCapture, waitFor } from "@keyway/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { RequestLog, RequestLogDraft } from "../src/log/request-log.js";
import { HttpLogSink, type HttpLogSinkOptions } from "../src/transport/http-log-sink.js";
import type { LogDeliveryIssue } from "../src/transport/log-sink.js";
import { manualScheduler } from "./manual-scheduler.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function capture(options: Parameters<typeof startLogCapture>[0] = {}): Promise<LogCapture> {
  const server = await startLogCapture(options);
  cleanups.push(() => server.close());
  return server;
}

const spoolDir = () => mkdtempSync(join(tmpdir(), "keyway-spool-test-"));

function sink(endpoint: LogCapture, options: Partial<HttpLogSinkOptions> = {}): HttpLogSink {
  const created = new HttpLogSink({
    baseURL: endpoint.url,
    spoolDir: spoolDir(),
    backoffBaseMs: 10,
    backoffMaxMs: 50,
    ...options,
  });
  cleanups.push(() => created.shutdown());
  return created;
}

const makeLog = (i: number, extra: Partial<RequestLog> = {}): RequestLog => ({
  unique_id: `log-${i}`,
  model: "gpt-4o-mini",
  prompt_messages: [{ role: "user", content: `message ${i}` }],
  completion_message: { role: "assistant", content: `reply ${i}` },
  prompt_tokens: 3,
  completion_tokens: 2,
  ...extra,
});

const ids = (logs: readonly Record<string, unknown>[]) => logs.map((log) => log.unique_id);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `log-${i + from}`);

describe("HttpLogSink", () => {
  it("batches by size, keeps order within a batch, and flush waits for delivery", async () => {
    const endpoint = await capture();
    const logs = sink(endpoint, { maxBatchSize: 100, flushIntervalMs: 10_000 });
    for (let i = 0; i < 250; i++) logs.log(makeLog(i));
    await logs.flush();
    expect(ids(endpoint.logs).sort()).toEqual(range(250).sort());
    expect(endpoint.posts.every((post) => post.path === "/api/request-logs/batch/")).toBe(true);
    expect(endpoint.posts.map((post) => post.logs.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    for (const post of endpoint.posts) {
      const numbers = post.logs.map((log) => Number(String(log.unique_id).slice(4)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    expect(logs.counters).toMatchObject({ accepted: 250, delivered: 250, spooled: 0, rejected: 0 });
  });

  it("sends a partial batch after the interval without a flush", async () => {
    const endpoint = await capture();
    const clock = manualScheduler();
    const logs = sink(endpoint, { flushIntervalMs: 20, scheduler: clock.scheduler });
    logs.log(makeLog(1));
    clock.runDeferred();
    expect(clock.pending()).toEqual([20]); // waiting for company
    clock.advance(20);
    await waitFor(() => endpoint.logs.length === 1);
    expect(endpoint.posts[0]?.authorization).toBeUndefined();
  });

  it("falls back to one log per POST /api/request-logs/create/ when there is no batch route", async () => {
    const endpoint = await capture({ batchRoute: false, apiKey: "kw_secret_key" });
    const logs = sink(endpoint, { apiKey: "kw_secret_key" });
    for (let i = 0; i < 5; i++) logs.log(makeLog(i));
    await logs.flush();
    expect(ids(endpoint.logs).sort()).toEqual(range(5));
    const accepted = endpoint.posts.filter((post) => post.status === 200);
    expect(
      accepted.every((post) => post.path === "/api/request-logs/create/" && post.logs.length === 1),
    ).toBe(true);
    expect(accepted[0]?.authorization).toBe("Bearer kw_secret_key");
  });

  it("retries after 500 and after 429 with Retry-After, delivering each log once (on an injected clock)", async () => {
    const endpoint = await capture();
    endpoint.fail({ status: 500, times: 2 });
    endpoint.fail({ status: 429, retryAfter: 30, times: 1 });
    const issues: LogDeliveryIssue[] = [];
    const clock = manualScheduler();
    const logs = sink(endpoint, {
      onError: (issue) => issues.push(issue),
      scheduler: clock.scheduler,
      random: () => 0.5,
    });
    for (let i = 0; i < 10; i++) logs.log(makeLog(i));
    clock.runDeferred();
    clock.advance(250); // the partial batch's interval
    const answered = async (count: number) => waitFor(() => endpoint.posts.length === count);
    await answered(1);
    await waitFor(() => logs.counters.retried === 10);
    clock.advanceToNext(); // the backoff after the first 500
    await answered(2);
    await waitFor(() => logs.counters.retried === 20);
    clock.advanceToNext();
    await answered(3);
    await waitFor(() => logs.counters.retried === 30);
    // The 429's Retry-After (30 s) wins over the backoff: nothing is sent a moment before it.
    clock.advance(29_000);
    expect(endpoint.posts).toHaveLength(3);
    clock.advanceToNext();
    await waitFor(() => endpoint.logs.length === 10);
    expect(ids(endpoint.logs).sort()).toEqual(range(10));
    expect(endpoint.posts.map((post) => post.status)).toEqual([500, 500, 429, 200]);
    expect(issues.filter((issue) => issue.kind === "retrying").map((issue) => issue.status)).toEqual([
      500, 500, 429,
    ]);
    expect(logs.counters.retried).toBe(30);
  });

  it("waits out the batch interval and Retry-After on an injected clock, not by sleeping", async () => {
    const endpoint = await capture();
    const clock = manualScheduler();
    endpoint.fail({ status: 429, retryAfter: 30, times: 1 });
    const logs = sink(endpoint, { scheduler: clock.scheduler, flushIntervalMs: 250, maxBatchSize: 100 });
    for (let i = 0; i < 10; i++) logs.log(makeLog(i));
    clock.runDeferred(); // prepared and queued: a partial batch waits for its interval
    expect(endpoint.posts).toHaveLength(0);
    clock.advance(249);
    expect(endpoint.posts).toHaveLength(0);
    clock.advance(1);
    await waitFor(() => logs.counters.retried === 10); // the 429 came back; the retry waits 30 s
    expect(clock.pending()[0]).toBeGreaterThanOrEqual(250 + 30_000);
    clock.advance(29_000);
    expect(endpoint.posts).toHaveLength(1);
    clock.advance(1_000);
    await waitFor(() => endpoint.logs.length === 10);
    expect(ids(endpoint.logs).sort()).toEqual(range(10).sort());
    expect(logs.counters).toMatchObject({ accepted: 10, delivered: 10, retried: 10 });
  });

  it("keeps every log through an outage: spooled while down, re-sent when the endpoint is back", async () => {
    const endpoint = await capture();
    const logs = sink(endpoint, { maxRetries: 2, maxBatchSize: 10 });
    await endpoint.pause();
    for (let i = 0; i < 40; i++) logs.log(makeLog(i));
    await logs.flush();
    expect(logs.counters.spooled).toBe(40);
    await endpoint.resume();
    for (let i = 40; i < 45; i++) logs.log(makeLog(i));
    await waitFor(() => endpoint.logs.length >= 45);
    await logs.flush();
    const received = ids(endpoint.logs);
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual(range(45).sort());
  });

  it("spools everything when the endpoint is down at shutdown; the next sink delivers it", async () => {
    const endpoint = await capture();
    const dir = spoolDir();
    const first = new HttpLogSink({
      baseURL: endpoint.url,
      spoolDir: dir,
      shutdownTimeoutMs: 200,
      backoffBaseMs: 20,
    });
    await endpoint.pause();
    for (let i = 0; i < 30; i++) first.log(makeLog(i));
    await first.shutdown();
    expect(first.counters).toMatchObject({ accepted: 30, delivered: 0, spooled: 30 });
    const spooled = readdirSync(dir).flatMap((file) =>
      readFileSync(join(dir, file), "utf8").trim().split("\n"),
    );
    expect(spooled.map((line) => JSON.parse(line).unique_id).sort()).toEqual(range(30).sort());
    first.log(makeLog(99)); // after shutdown: still kept
    await waitFor(() => first.counters.spooled === 31);

    await endpoint.resume();
    const second = sink(endpoint, { spoolDir: dir });
    await waitFor(() => endpoint.logs.length >= 31);
    await second.flush();
    await waitFor(() => readdirSync(dir).length === 0);
    expect(ids(endpoint.logs).sort()).toEqual([...range(30), "log-99"].sort());
    expect(second.counters.replayed).toBe(31);
  });

  it("stamps an id on logs that have none, so resends after lost answers and spool replays store each once", async () => {
    const endpoint = await capture();
    const withoutId = (i: number): RequestLogDraft => {
      const { unique_id: _, ...log } = makeLog(i, { custom_identifier: `n-${i}` });
      return log;
    };
    // Each log's content (custom_identifier) must reach the endpoint under exactly one id.
    const expectEachOnce = (count: number) => {
      const idsByLog = new Map<unknown, Set<unknown>>();
      for (const log of endpoint.logs) {
        expect(typeof log.unique_id).toBe("string");
        const seen = idsByLog.get(log.custom_identifier) ?? new Set();
        idsByLog.set(log.custom_identifier, seen.add(log.unique_id));
      }
      expect(idsByLog.size).toBe(count);
      expect([...idsByLog.values()].every((seen) => seen.size === 1)).toBe(true);
    };
    endpoint.fail({ loseAnswer: true, times: 3 });
    const logs = sink(endpoint, { maxBatchSize: 100 });
    for (let i = 0; i < 1_000; i++) logs.log(withoutId(i));
    await logs.flush();
    expect(endpoint.posts.filter((post) => post.status === 0)).toHaveLength(3);
    expectEachOnce(1_000);

    // Spooled while the endpoint is down, replayed by the next sink through more lost answers.
    endpoint.reset();
    const dir = spoolDir();
    const first = new HttpLogSink({ baseURL: endpoint.url, spoolDir: dir, shutdownTimeoutMs: 100 });
    await endpoint.pause();
    for (let i = 0; i < 300; i++) first.log(withoutId(i));
    await first.shutdown();
    expect(first.counters.spooled).toBe(300);
    await endpoint.resume();
    endpoint.fail({ loseAnswer: true, times: 2 });
    const second = sink(endpoint, { spoolDir: dir });
    await waitFor(() => second.counters.replayed === 300 && readdirSync(dir).length === 0);
    await second.flush();
    expectEachOnce(300);
  });

  it("takes over a spool file claimed by a process that died, even when a process with its PID lives", async () => {
    const endpoint = await capture();
    const dir = spoolDir();
    // As a sink killed mid-replay leaves it; in a container the next process is PID 1 again, so the PID in
    // the name says nothing. The claim's lease (its file's age) does.
    for (const pid of [1, process.pid]) {
      const file = join(dir, `${pid}-dead-0.jsonl.claimed-${pid}`);
      writeFileSync(
        file,
        `${range(300, pid === 1 ? 0 : 300)
          .map((id) => JSON.stringify({ ...makeLog(0), unique_id: id }))
          .join("\n")}\n`,
      );
      const past = new Date(Date.now() - 60_000);
      utimesSync(file, past, past);
    }
    const logs = sink(endpoint, { spoolDir: dir, spoolLeaseMs: 1_000 });
    await waitFor(() => endpoint.logs.length >= 600 && readdirSync(dir).length === 0);
    await logs.flush();
    expect(ids(endpoint.logs).sort()).toEqual(range(600).sort());
  });

  it("takes over a claim of a process killed moments ago, once its lease runs out, while the sink runs", async () => {
    const endpoint = await capture();
    const dir = spoolDir();
    // A container restarted at once: the killed PID 1's claim is fresh when the new PID 1's sink starts.
    const file = join(dir, "1-killed-0.jsonl.claimed-1");
    writeFileSync(
      file,
      `${range(200)
        .map((id) => JSON.stringify({ ...makeLog(0), unique_id: id }))
        .join("\n")}\n`,
    );
    const logs = sink(endpoint, { spoolDir: dir, spoolLeaseMs: 400 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logs.counters.replayed).toBe(0); // still inside its lease: a live owner's, for all the sink knows
    // Delivered within a few leases (before the re-scan, only at the next restart).
    await waitFor(() => endpoint.logs.length >= 200 && readdirSync(dir).length === 0, 3_000);
    await logs.flush();
    expect(ids(endpoint.logs).sort()).toEqual(range(200).sort());
  });

  it("leaves alone a claim whose owner is alive and renewing it", async () => {
    const endpoint = await capture();
    const dir = spoolDir();
    const first = new HttpLogSink({ baseURL: endpoint.url, spoolDir: dir, shutdownTimeoutMs: 50 });
    await endpoint.pause();
    for (let i = 0; i < 50; i++) first.log(makeLog(i));
    await first.shutdown();
    await endpoint.resume();
    endpoint.fail({ delayMs: 900, status: 503, times: 1 }); // the replaying sink holds its claim meanwhile
    const owner = sink(endpoint, { spoolDir: dir, spoolLeaseMs: 300 });
    await waitFor(() => owner.counters.replayed === 50);
    const other = sink(endpoint, { spoolDir: dir, spoolLeaseMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 600)); // two leases: renewed by the owner, not stale
    expect(other.counters.replayed).toBe(0);
    await waitFor(() => endpoint.logs.length >= 50 && readdirSync(dir).length === 0);
    await owner.flush();
    expect(ids(endpoint.logs).sort()).toEqual(range(50).sort());
  });

  it("keeps the process alive in flush(), and spools on exit, until every log is delivered or spooled", async () => {
    const down = await capture();
    const url = down.url;
    await down.close();
    const script = fileURLToPath(new URL("./fixtures/log-then-exit.mjs", import.meta.url));
    for (const mode of ["flush", "end"]) {
      const dir = spoolDir();
      const run = spawnSync(process.execPath, [script, mode], {
        env: { ...process.env, KEYWAY_BASE_URL: url, KEYWAY_SPOOL_DIR: dir },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status, `${mode}: ${run.stderr}`).toBe(0);
      if (mode === "flush") expect(JSON.parse(run.stdout)).toMatchObject({ accepted: 100, spooled: 100 });
      const spooled = readdirSync(dir).flatMap((file) =>
        readFileSync(join(dir, file), "utf8").trim().split("\n"),
      );
      expect(spooled.map((line) => JSON.parse(line).custom_identifier).sort(), mode).toEqual(
        Array.from({ length: 100 }, (_, i) => `exit-${i}`).sort(),
      );
    }
  });

  it("reports a spool directory that cannot be created once, and goes on in memory", async () => {
    const endpoint = await capture();
    const issues: LogDeliveryIssue[] = [];
    const logs = sink(endpoint, {
      spoolDir: "/proc/keyway-spool-cannot-exist",
      maxRetries: 0,
      onError: (issue) => issues.push(issue),
    });
    await endpoint.pause();
    for (let i = 0; i < 10; i++) logs.log(makeLog(i));
    await logs.flush();
    const failures = issues.filter((issue) => issue.kind === "spool-failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toContain("/proc/keyway-spool-cannot-exist cannot be used");
    await endpoint.resume();
    for (let i = 10; i < 20; i++) logs.log(makeLog(i));
    await logs.flush();
    expect(ids(endpoint.logs).length).toBeGreaterThanOrEqual(10);
    expect(issues.filter((issue) => issue.kind === "spool-failed")).toHaveLength(1);
  });

  it("reports 4xx rejections without retrying, and isolates one bad log in a batch", async () => {
    const endpoint = await capture({ reject: (log) => (log.unique_id === "log-3" ? 400 : undefined) });
    const issues: LogDeliveryIssue[] = [];
    const logs = sink(endpoint, { onError: (issue) => issues.push(issue) });
    for (let i = 0; i < 8; i++) logs.log(makeLog(i));
    await logs.flush();
    expect(ids(endpoint.logs).sort()).toEqual(range(8).filter((id) => id !== "log-3"));
    expect(issues.filter((issue) => issue.kind === "rejected")).toEqual([
      expect.objectContaining({ status: 400, logIds: ["log-3"] }),
    ]);
    expect(logs.counters).toMatchObject({ delivered: 7, rejected: 1, retried: 0 });

    const locked = await capture({ apiKey: "right" });
    const refused: LogDeliveryIssue[] = [];
    const wrongKeySink = new HttpLogSink({
      baseURL: locked.url,
      apiKey: "wrong-key-value",
      spoolDir: spoolDir(),
      onError: (issue) => refused.push(issue),
    });
    wrongKeySink.log(makeLog(1));
    await wrongKeySink.flush();
    await wrongKeySink.shutdown();
    expect(refused.map((issue) => [issue.kind, issue.status])).toEqual([["rejected", 401]]);
    expect(refused[0]?.message).not.toContain("wrong-key-value");
  });

  it("stays within its queue bound under 100,000 logs to a stalled endpoint, spooling the rest", async () => {
    const endpoint = await capture();
    endpoint.fail({ delayMs: 60_000 });
    const logs = sink(endpoint, {
      maxQueueSize: 1_000,
      maxBatchSize: 100,
      maxConcurrentSends: 2,
      shutdownTimeoutMs: 100,
      requestTimeoutMs: 30_000,
    });
    let highest = 0;
    for (let i = 0; i < 100_000; i++) {
      logs.log(makeLog(i));
      if (i % 5_000 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        const { queued, inBatches } = logs.pending;
        highest = Math.max(highest, queued + inBatches);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    highest = Math.max(highest, logs.pending.queued + logs.pending.inBatches);
    expect(highest).toBeLessThanOrEqual(1_000 + 2 * 100);
    await logs.shutdown();
    expect(logs.counters.accepted).toBe(100_000);
    expect(logs.counters.spooled + logs.counters.delivered).toBe(100_000);
    expect(logs.counters.dropped).toBe(0);
  });

  it("redacts keys in every field before they leave the process", async () => {
    const endpoint = await capture();
    const logs = sink(endpoint, { secrets: ["my-custom-secret-value"] });
    logs.log(
      makeLog(1, {
        prompt_messages: [
          {
            role: "user",
            content: "my key is sk-proj-abcdefghijklmnopqrstuvwx and gsk_abcdefghijklmnopqrstu",
          },
        ],
        error_message: "401: Incorrect API key provided: sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAA",
        metadata: { header: "Bearer abc.def.ghi-jkl", api_key: "short", note: "my-custom-secret-value" },
        customer_params: { customer_identifier: "u1", email: "a@b.c" },
        full_request: {
          headers: { authorization: "Bearer xyz123456" },
          body: "x-api-key: sk-ant-abcdefghijklmnopqrstuv",
        },
      }),
    );
    await logs.flush();
    const sent = JSON.stringify(endpoint.logs[0]);
    for (const secret of [
      "sk-proj-abc",
      "gsk_abc",
      "sk-ant-api03",
      "abc.def.ghi",
      "short",
      "my-custom-secret-value",
      "xyz123456",
      "sk-ant-abc",
    ]) {
      expect(sent).not.toContain(secret);
    }
    expect(sent).toContain("[REDACTED]");
    expect(endpoint.logs[0]).toMatchObject({ customer_params: { customer_identifier: "u1" } });
  });

  it("applies the user's redact hook and never throws from log()", async () => {
    const endpoint = await capture();
    const logs = sink(endpoint, {
      redact: (log) =>
        log.unique_id === "log-2" ? null : { ...log, customer_params: { customer_identifier: "hidden" } },
    });
    logs.log(makeLog(1));
    logs.log(makeLog(2));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => logs.log(makeLog(3, { metadata: circular }))).not.toThrow();
    await logs.flush();
    expect(ids(endpoint.logs)).toEqual(["log-1"]);
    expect(endpoint.logs[0]?.customer_params).toEqual({ customer_identifier: "hidden" });
    expect(logs.counters.rejected).toBe(1);
  });
});
