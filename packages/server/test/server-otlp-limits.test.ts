import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywayServer, startKeywayServer } from "../src/keyway-server.js";
import { otlpTraceSchema } from "../src/otlp/otlp-trace-schema.js";

const responseType = protobuf
  .parse(otlpTraceSchema)
  .root.lookupType("opentelemetry.proto.ExportTraceServiceResponse");

// The default body limit (20 MiB), so the heaviest exports the limits allow can be sent.
let server: KeywayServer;
beforeAll(async () => {
  server = await startKeywayServer({
    port: 0,
    dbPath: join(mkdtempSync(join(tmpdir(), "keyway-otlp-limits-")), "keyway.db"),
    apiKeys: ["kw_limits"],
    maxOtlpSpans: 10_000,
  });
});
afterAll(() => server.close());

const post = (body: Buffer | string, type: string, gzip = false) =>
  fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: {
      authorization: "Bearer kw_limits",
      "content-type": type,
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });

const traceId = "5b8efff798038103d269b633813fc60c";
const spanId = (i: number) => i.toString(16).padStart(16, "0");
const span = (i: number, attributes: unknown[]) => ({
  traceId,
  spanId: spanId(i + 1),
  name: `span ${i}`,
  startTimeUnixNano: "1763630000000000000",
  endTimeUnixNano: "1763630001000000000",
  attributes,
});
const exportOf = (spans: unknown[]) =>
  JSON.stringify({ resourceSpans: [{ scopeSpans: [{ scope: { name: "limits" }, spans }] }] });

/** A `kvlistValue` nested `depth` maps deep, with a string at the bottom. */
function nestedMap(depth: number): unknown {
  let value: unknown = { stringValue: 'bottom "quoted" \\ value' };
  for (let level = 0; level < depth; level++)
    value = { kvlistValue: { values: [{ key: `k${level}`, value }] } };
  return value;
}

/** ExportTraceServiceRequest{resource_spans{scope_spans{spans × count}}}, every span empty, on the wire. */
function emptySpansProtobuf(count: number): Buffer {
  const scopeSpans = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) scopeSpans[i * 2] = 0x12; // field 2 (spans), length-delimited, length 0
  const wrap = (tag: number, inner: Buffer) =>
    Buffer.concat([Buffer.from([tag]), varintOf(inner.length), inner]);
  return wrap(0x0a, wrap(0x12, scopeSpans)); // resource_spans (1) { scope_spans (2) { … } }
}

/** `/healthz` latencies (ms) measured back to back until `done` settles. */
async function healthWhile(done: Promise<unknown>): Promise<number[]> {
  let settled = false;
  void done.finally(() => {
    settled = true;
  });
  const latencies: number[] = [];
  while (!settled) {
    const started = performance.now();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return latencies;
}

describe("keyway serve: OTLP exports bounded by work, not only bytes", () => {
  it("flattens maps nested 26 deep once (24 such spans took the heap before), deeper ones cut with a marker", async () => {
    const spans = Array.from({ length: 24 }, (_, i) =>
      span(i, [{ key: "ai.telemetry.metadata.deep", value: nestedMap(26) }]),
    );
    const response = await post(exportOf(spans), "application/json");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const page = (await (
      await fetch(`${server.url}/api/request-logs/?trace=${traceId}&limit=50`, {
        headers: { authorization: "Bearer kw_limits" },
      })
    ).json()) as { results: { metadata?: Record<string, unknown> }[] };
    expect(page.results).toHaveLength(24);
    const stored = JSON.stringify(page.results[0]);
    // Escaped once: the value's own backslash-quote appears with one level of escaping, never doubled again.
    expect(stored.length).toBeLessThan(4_000);
    expect(stored).toContain("nested deeper than 16 levels");
  });

  it("answers arrayValue nested 10,000 deep, as JSON and as protobuf, with a 200 or a typed 400 — never a 500", async () => {
    // Written out by hand: JSON.stringify itself overflows the stack on such a value.
    const value = `${'{"arrayValue":{"values":['.repeat(10_000)}{"intValue":1}${"]}}".repeat(10_000)}`;
    const json = await post(
      exportOf([span(100, [{ key: "ai.telemetry.metadata.deep", value: "VALUE" }])]).replace(
        '"VALUE"',
        value,
      ),
      "application/json",
    );
    expect(json.status).toBe(200);
    // The same nesting on the wire: AnyValue{array_value(5){values(1){…}}}.
    let wire = Buffer.from([0x18, 0x01]); // int_value = 1
    for (let level = 0; level < 10_000; level++) {
      const values = Buffer.concat([Buffer.from([0x0a]), varintOf(wire.length), wire]);
      wire = Buffer.concat([Buffer.from([0x2a]), varintOf(values.length), values]);
    }
    const keyValue = Buffer.concat([Buffer.from([0x0a, 0x01, 0x64, 0x12]), varintOf(wire.length), wire]);
    const spanBytes = Buffer.concat([Buffer.from([0x4a]), varintOf(keyValue.length), keyValue]);
    const scope = Buffer.concat([Buffer.from([0x12]), varintOf(spanBytes.length), spanBytes]);
    const resource = Buffer.concat([Buffer.from([0x12]), varintOf(scope.length), scope]);
    const body = Buffer.concat([Buffer.from([0x0a]), varintOf(resource.length), resource]);
    const protobuf = await post(body, "application/x-protobuf");
    expect([200, 400]).toContain(protobuf.status);
    if (protobuf.status === 400)
      expect(((await protobuf.json()) as { code: string }).code).toBe("invalid_protobuf");
  });

  it("takes 10,000 of a gzipped protobuf export of 10,000,000 empty spans and rejects the rest by count, /healthz answering throughout", async () => {
    const body = gzipSync(emptySpansProtobuf(10_000_000));
    expect(body.length).toBeLessThan(100_000);
    const answer = post(body, "application/x-protobuf", true);
    const latencies = await healthWhile(answer);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-protobuf");
    const partial = responseType.toObject(responseType.decode(Buffer.from(await response.arrayBuffer())), {
      longs: Number,
    }).partialSuccess as { rejectedSpans: number; errorMessage: string };
    expect(partial.rejectedSpans).toBeGreaterThanOrEqual(9_990_000);
    expect(partial.errorMessage).toContain("9990000 of 10000000 spans are past the limit of 10000");
    expect(latencies.length).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("keeps /healthz answering while the heaviest JSON export the limits allow is ingested", async () => {
    const attributes = [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
      { key: "gen_ai.system", value: { stringValue: "openai" } },
      { key: "gen_ai.usage.input_tokens", value: { intValue: 12 } },
      { key: "gen_ai.usage.output_tokens", value: { intValue: 7 } },
      { key: "gen_ai.prompt", value: { stringValue: "x".repeat(1_000) } },
    ];
    const spans = Array.from({ length: 10_000 }, (_, i) => ({
      ...span(200_000 + i, attributes),
      traceId: (i + 1).toString(16).padStart(32, "a"),
    }));
    const body = exportOf(spans);
    expect(body.length).toBeLessThan(20 * 1024 * 1024);
    const answer = post(body, "application/json");
    const latencies = await healthWhile(answer);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    // Answered during the ingest, not after it; the figure against the 100 ms goal is measured by the bench.
    expect(latencies.length).toBeGreaterThan(1);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  }, 60_000);
});

function varintOf(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
