import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RequestLog } from "@keyway/core";
import { type KeywayServer, startKeywayServer } from "@keyway/server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_API_KEY, type DemoRun, runDemo } from "../src/demo-run.js";

const cli = fileURLToPath(new URL("../../../packages/server/dist/cli.js", import.meta.url));
const toolNames = [
  "customer_spend",
  "get_log",
  "get_metrics",
  "get_trace",
  "key_health",
  "list_traces",
  "search_logs",
];

let demo: DemoRun;
let slow: KeywayServer;
const clients: Client[] = [];

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${demo.server.url}${path}`, {
    headers: { authorization: `Bearer ${DEMO_API_KEY}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

function httpClient(url: string, key: string): Promise<Client> {
  return connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
}

function stdioClient(url: string, key: string): Promise<Client> {
  return connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [cli, "mcp", "--url", url, "--api-key", key],
      stderr: "pipe",
    }),
  );
}

async function connect(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const client = new Client({ name: "keyway-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { result, data: result.structuredContent as Record<string, unknown> };
}

beforeAll(async () => {
  demo = await runDemo();
  const huge = "the user pasted a whole manual. ".repeat(10_000);
  await demo.server.store.insert([
    {
      unique_id: "huge-log",
      model: "gpt-4o-mini",
      timestamp: new Date().toISOString(),
      prompt_messages: [{ role: "user", content: huge }],
      completion_message: { role: "assistant", content: "ok" },
      customer_params: { customer_identifier: "zed" },
    },
  ]);
  slow = await startKeywayServer({
    port: 0,
    dbPath: join(mkdtempSync(join(tmpdir(), "keyway-mcp-")), "slow.db"),
    apiKeys: [DEMO_API_KEY],
    queryTimeoutMs: 1,
  });
  const filler = "lorem ipsum dolor sit amet ".repeat(150);
  for (let batch = 0; batch < 5; batch++) {
    const logs: RequestLog[] = Array.from({ length: 1_000 }, (_, i) => ({
      unique_id: `fill-${batch}-${i}`,
      model: "gpt-4o-mini",
      timestamp: new Date(Date.UTC(2026, 10, 1) + batch * 1_000 + i).toISOString(),
      prompt_messages: [{ role: "user", content: `${filler} ${batch}-${i}` }],
    }));
    await slow.store.insert(logs);
  }
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await slow?.close();
  await demo?.close();
});

describe.each([
  ["stdio (keyway mcp)", stdioClient],
  ["streamable HTTP (POST /mcp)", httpClient],
])("keyway's MCP server over %s, on the demo's data", (_name, open) => {
  let client: Client;
  beforeAll(async () => {
    client = await open(demo.server.url, DEMO_API_KEY);
  });

  it("lists the seven read-only tools with their input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(toolNames);
    for (const tool of tools) expect(tool.annotations?.readOnlyHint).toBe(true);
    const search = tools.find((tool) => tool.name === "search_logs");
    expect(Object.keys(search?.inputSchema.properties ?? {}).sort()).toEqual(
      [
        "customer",
        "cursor",
        "end_time",
        "limit",
        "model",
        "provider",
        "start_time",
        "status",
        "text",
        "trace_id",
      ].sort(),
    );
    const trace = tools.find((tool) => tool.name === "get_trace");
    expect(trace?.inputSchema.required).toEqual(["trace_id"]);
  });

  it("search_logs finds a customer's logs as the read API lists them, and the failed call by status", async () => {
    const expected = await api<{ results: RequestLog[] }>(
      "/api/request-logs/?customer_identifier=alice&limit=100",
    );
    const { data } = await call(client, "search_logs", { customer: "alice", limit: 100 });
    const logs = data.logs as Record<string, unknown>[];
    expect(logs.map((log) => log.unique_id)).toEqual(expected.results.map((log) => log.unique_id));
    expect(logs.length).toBeGreaterThan(3);
    for (const [i, log] of logs.entries()) {
      const source = expected.results[i] as RequestLog;
      expect(log.customer_identifier).toBe("alice");
      expect(log.model).toBe(source.model ?? null);
      expect(log.cost).toBe(source.cost ?? 0);
      expect(log.prompt_tokens).toBe(source.prompt_tokens ?? 0);
      expect(log.trace_unique_id).toBe(source.trace_unique_id ?? null);
    }
    const failed = await call(client, "search_logs", { status: "error" });
    const errors = failed.data.logs as Record<string, unknown>[];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ model: "echo-1", status_code: 500, customer_identifier: "erin" });
  });

  it("get_log gives one log whole, and a huge one cut with its id and the call that reads on", async () => {
    const [first] = (
      await api<{ results: RequestLog[] }>("/api/request-logs/?customer_identifier=bob&limit=1")
    ).results;
    const whole = await call(client, "get_log", { unique_id: first?.unique_id });
    expect(whole.data).toEqual({ log: first, cut: false });

    const huge = await call(client, "get_log", { unique_id: "huge-log", max_chars: 10_000 });
    expect(huge.data.cut).toBe(true);
    const text = (huge.result.content[0] as { text: string }).text;
    expect(text.length).toBeLessThan(12_000);
    const content = (huge.data.log as RequestLog).prompt_messages?.[0]?.content as string;
    expect(content).toMatch(
      /…\[cut: \d+ more characters of 320000; get_log \{"unique_id":"huge-log","field":"prompt_messages\.0\.content","offset":\d+\} reads on\]$/,
    );
    expect((huge.data.log as RequestLog).completion_message?.content).toBe("ok");
    const slice = await call(client, "get_log", {
      unique_id: "huge-log",
      field: "prompt_messages.0.content",
      offset: 319_990,
      max_chars: 1_000,
    });
    expect(slice.data).toEqual({
      unique_id: "huge-log",
      field: "prompt_messages.0.content",
      offset: 319_990,
      total_chars: 320_000,
      text: "e manual. ",
      next_offset: null,
    });
    const missing = await call(client, "get_log", { unique_id: "no-such-log" });
    expect(missing.result.isError).toBe(true);
    expect(missing.data).toMatchObject({ error: { status: 404, code: "not_found" } });
  });

  it("list_traces and get_trace: the traces the API lists, one as an indented span tree", async () => {
    const expected = await api<{ results: { trace_unique_id: string; spans: number; cost: number }[] }>(
      "/api/traces/?limit=100",
    );
    const { data } = await call(client, "list_traces", { limit: 100 });
    const traces = data.traces as { trace_unique_id: string; spans: number; duration_ms: number }[];
    expect(traces.map((trace) => trace.trace_unique_id)).toEqual(
      expected.results.map((trace) => trace.trace_unique_id),
    );
    const deepest = [...expected.results].sort((a, b) => b.spans - a.spans)[0];
    expect(deepest?.spans).toBeGreaterThan(1);
    const detail = await api<{ spans: RequestLog[] }>(`/api/traces/${deepest?.trace_unique_id}/`);
    const tree = await call(client, "get_trace", { trace_id: deepest?.trace_unique_id });
    const spans = tree.data.spans as {
      unique_id: string;
      depth: number;
      parent: string | null;
      cost: number;
    }[];
    expect(spans.map((span) => span.unique_id).sort()).toEqual(
      detail.spans.map((span) => span.unique_id).sort(),
    );
    expect(spans[0]?.depth).toBe(0);
    expect(spans.some((span) => span.depth > 0)).toBe(true);
    for (const span of spans) {
      const log = detail.spans.find((s) => s.unique_id === span.unique_id) as RequestLog;
      expect(span.cost).toBe(log.cost ?? 0);
    }
    const text = (tree.result.content[0] as { text: string }).text;
    const lines = text.split("\n");
    expect(lines[0]).toContain(`trace ${deepest?.trace_unique_id}`);
    expect(lines).toHaveLength(spans.length + 1);
    expect(lines[1]).toMatch(/^- .+\(\+\d+ ms, \d+ ms/);
    expect(lines.some((line) => /^ {2,}- /.test(line))).toBe(true);
  });

  it("get_metrics and customer_spend answer as the metrics API does", async () => {
    const expected = await api<{ groups: { key: string; count: number; cost: number }[] }>(
      "/api/metrics/?group_by=customer",
    );
    const { data } = await call(client, "get_metrics", { group_by: "customer" });
    expect(data).toEqual({ group_by: "customer", ...expected });
    const alice = expected.groups.find((group) => group.key === "alice");
    const spend = await call(client, "customer_spend", { customer: "alice" });
    expect(spend.data).toMatchObject({
      customer: "alice",
      logged: { cost: alice?.cost, count: alice?.count },
      budget: null,
    });
  });

  it("key_health shows the served gateway's keys by fingerprint, never the key", async () => {
    const { keys } = await api<{ keys: { provider: string; keyId: string }[] }>("/api/gateway/keys/");
    const { result, data } = await call(client, "key_health", { provider: "groq" });
    const listed = data.keys as { provider: string; keyId: string; healthy: boolean }[];
    expect(listed.map((key) => key.keyId)).toEqual(
      keys.filter((key) => key.provider === "groq").map((key) => key.keyId),
    );
    expect(listed[0]?.healthy).toBe(true);
    expect(JSON.stringify(result)).not.toContain("gsk-served-a");
  });

  it("a bad filter is a tool error with Keyway's code, and the session goes on", async () => {
    const bad = await call(client, "search_logs", { start_time: "not a time" });
    expect(bad.result.isError).toBe(true);
    expect(bad.data).toMatchObject({ error: { status: 400, code: "invalid_query" } });
    expect((await call(client, "list_traces", { limit: 1 })).result.isError).toBeFalsy();
  });

  it("a query past the store's time limit comes back as a tool error (503 query_timeout)", async () => {
    const timed = await open(slow.url, DEMO_API_KEY);
    const { result, data } = await call(timed, "get_metrics", { group_by: "customer", text: "lorem" });
    expect(result.isError).toBe(true);
    expect(data).toMatchObject({ error: { status: 503, code: "query_timeout" } });
  });
});

describe("keyway's MCP server refuses a wrong key", () => {
  it("over HTTP, before any tool runs", async () => {
    await expect(httpClient(demo.server.url, "kw_wrong")).rejects.toThrow(/401|unauthorized/i);
  });

  it("over stdio, as a 401 tool error", async () => {
    const client = await stdioClient(demo.server.url, "kw_wrong");
    const { result, data } = await call(client, "list_traces");
    expect(result.isError).toBe(true);
    expect(data).toMatchObject({ error: { status: 401, code: "unauthorized" } });
  });
});
