import {
  type ChatMessage,
  type CustomerParams,
  type currentContext,
  type Identity,
  type RequestLog,
  resolveIdentity,
} from "@keyway/core";

type Json = Record<string, unknown>;

/** One LangChain run in flight: where it sits in the trace, when it started, what its start said. */
export interface RunState {
  kind: "llm" | "chain" | "tool" | "retriever";
  traceId: string;
  parentRunId: string | undefined;
  name: string | undefined;
  startedAt: number;
  startedAtMs: number;
  firstTokenAt?: number;
  metadata: Json;
  context: ReturnType<typeof currentContext>;
  model?: string;
  provider?: string;
  messages?: ChatMessage[];
  params?: Json;
  input?: unknown;
  streamed?: boolean;
}

// Run metadata that is Keyway's identity (read separately) or LangChain's own bookkeeping.
const langchainOwnKeys = new Set(["customer_identifier", "customer_params", "thread_identifier", "versions"]);
const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** A run's name: the one given, else the last part of the serialized runnable's id (`ChatOpenAI`). */
export const runNameOf = (serialized: unknown, runName: string | undefined): string | undefined =>
  runName ?? str(((serialized as Json | undefined)?.id as string[] | undefined)?.at(-1));

/** Customer, metadata and thread: the run's metadata, then the handler's options, then the Keyway context. */
export function runIdentity(
  run: RunState,
  options: { customer?: string | CustomerParams; metadata?: Record<string, unknown>; thread?: string },
): Identity {
  const meta = run.metadata;
  const runMetadata: Json = {};
  for (const [key, value] of Object.entries(meta)) {
    if (!key.startsWith("ls_") && !langchainOwnKeys.has(key)) runMetadata[key] = value;
  }
  const customer = options.customer;
  return resolveIdentity({
    params: [
      {
        customer_identifier: str(meta.customer_identifier),
        customer_params: meta.customer_params as CustomerParams | undefined,
        metadata: runMetadata,
        thread_identifier: str(meta.thread_identifier),
      },
      {
        ...(typeof customer === "string" ? { customer_identifier: customer } : { customer_params: customer }),
        metadata: options.metadata,
        thread_identifier: options.thread,
      },
    ],
    context: run.context,
  });
}

/** The fields every run's log has: ids in the trace, times, status and error, identity. */
export function runLog(
  runId: string,
  run: RunState,
  error: unknown,
  now: number,
  identity: Identity,
): RequestLog {
  const latency = Math.round(now - run.startedAt) / 1000;
  const status = error === undefined ? 200 : statusOf(error);
  return {
    unique_id: runId,
    log_source: "langchain",
    trace_unique_id: run.traceId,
    span_unique_id: runId,
    ...(run.parentRunId ? { span_parent_id: run.parentRunId } : {}),
    ...(run.name ? { span_name: run.name } : {}),
    start_time: new Date(run.startedAtMs).toISOString(),
    timestamp: new Date(run.startedAtMs + latency * 1000).toISOString(),
    latency,
    status_code: status,
    status: error === undefined ? "success" : "error",
    ...(error !== undefined ? { error_message: error instanceof Error ? error.message : String(error) } : {}),
    ...identity,
  };
}

function statusOf(error: unknown): number {
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const candidate of [e?.status, e?.statusCode, e?.response?.status]) {
    if (typeof candidate === "number" && candidate >= 400 && candidate < 600) return candidate;
  }
  return 500;
}
