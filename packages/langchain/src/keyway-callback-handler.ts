import {
  applyUsage,
  type ChatMessage,
  type CustomerParams,
  createSink,
  currentContext,
  type Identity,
  type LogSink,
  type ModelPrices,
  type RequestLog,
  resolveIdentity,
} from "@keyway/core";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { toOpenAIMessage, toOpenAIToolCalls } from "./message-mapping.js";
import { usageOf } from "./run-usage.js";

type Json = Record<string, unknown>;

export interface KeywayCallbackHandlerOptions {
  /** Where logs go; default `createSink()` (env, else `keyway serve` on loopback). */
  sink?: LogSink;
  /** Defaults for every run, below the run's own `metadata` and above the Keyway context. */
  customer?: string | CustomerParams;
  metadata?: Record<string, unknown>;
  thread?: string;
  /** Log chain, tool and retriever runs as spans (`workflow` / `tool` / `task`). Default true. */
  logSpans?: boolean;
  prices?: Record<string, ModelPrices>;
  /** Told about anything that went wrong inside the handler; the chain never sees it. */
  onError?: (error: unknown) => void;
  now?: () => number;
}

interface RunState {
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
const spanTypes = { chain: "workflow", tool: "tool", retriever: "task" } as const;
const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Logs every LangChain chat-model and LLM run as one Keyway request log — messages in OpenAI roles, completion
 * and tool calls, model and provider, parameters, tokens, cost, latency, TTFT, errors — and the run tree as one
 * trace (root run id = trace id, run id = span id). Customer, metadata and thread come from the run's
 * `metadata`, then these options, then the Keyway context (Express/Koa middleware). It never throws into the
 * chain: failures go to `onError`.
 *
 * Handlers are awaited inline (`awaitHandlers`), which keeps the caller's async context (and so the Keyway
 * context) visible; the work done per callback is in-memory only — the sink sends in the background.
 *
 * @example
 * await chain.invoke(input, { callbacks: [new KeywayCallbackHandler()] });
 */
export class KeywayCallbackHandler extends BaseCallbackHandler {
  override name = "keyway";
  override awaitHandlers = true;
  readonly #runs = new Map<string, RunState>();
  readonly #options: KeywayCallbackHandlerOptions;
  #sink: LogSink | undefined;
  readonly #now: () => number;

  constructor(options: KeywayCallbackHandlerOptions = {}) {
    super();
    this.#options = options;
    this.#sink = options.sink;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Waits for LangChain's queued callbacks and for the sink: call before a serverless function returns. */
  async flush(): Promise<void> {
    await awaitAllCallbacks();
    await this.#getSink().flush();
  }

  #getSink(): LogSink {
    this.#sink ??= createSink();
    return this.#sink;
  }

  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      try {
        this.#options.onError?.(error);
      } catch {}
    }
  }

  #start(
    runId: string,
    parentRunId: string | undefined,
    kind: RunState["kind"],
    name: string | undefined,
    metadata: Json | undefined,
    extra: Partial<RunState> = {},
  ): void {
    const parent = parentRunId ? this.#runs.get(parentRunId) : undefined;
    this.#runs.set(runId, {
      kind,
      traceId: parent?.traceId ?? parentRunId ?? runId,
      parentRunId,
      name,
      startedAt: this.#now(),
      startedAtMs: Date.now(),
      metadata: { ...parent?.metadata, ...metadata },
      context: parent?.context ?? currentContext(),
      ...extra,
    });
  }

  #identity(run: RunState): Identity {
    const meta = run.metadata;
    const runMetadata: Json = {};
    for (const [key, value] of Object.entries(meta)) {
      if (!key.startsWith("ls_") && !langchainOwnKeys.has(key)) runMetadata[key] = value;
    }
    const customer = this.#options.customer;
    return resolveIdentity({
      params: [
        {
          customer_identifier: str(meta.customer_identifier),
          customer_params: meta.customer_params as CustomerParams | undefined,
          metadata: runMetadata,
          thread_identifier: str(meta.thread_identifier),
        },
        {
          ...(typeof customer === "string"
            ? { customer_identifier: customer }
            : { customer_params: customer }),
          metadata: this.#options.metadata,
          thread_identifier: this.#options.thread,
        },
      ],
      context: run.context,
    });
  }

  #base(runId: string, run: RunState, error: unknown): RequestLog {
    const latency = Math.round(this.#now() - run.startedAt) / 1000;
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
      ...(error !== undefined
        ? { error_message: error instanceof Error ? error.message : String(error) }
        : {}),
      ...this.#identity(run),
    };
  }

  #emit(log: RequestLog): void {
    this.#getSink().log(log);
  }

  // ---- model runs ----

  #startModel(
    llm: Json,
    runId: string,
    parentRunId: string | undefined,
    extraParams: Json | undefined,
    metadata: Json | undefined,
    runName: string | undefined,
    messages: ChatMessage[],
  ): void {
    const invocation = (extraParams?.invocation_params ?? {}) as Json;
    const model = str(invocation.model) ?? str(invocation.model_name) ?? str(metadata?.ls_model_name);
    const provider = str(metadata?.ls_provider);
    const params: Json = {};
    const temperature = invocation.temperature ?? metadata?.ls_temperature;
    if (typeof temperature === "number") params.temperature = temperature;
    const maxTokens = invocation.max_tokens ?? invocation.max_completion_tokens ?? metadata?.ls_max_tokens;
    if (typeof maxTokens === "number") params.max_tokens = maxTokens;
    if (typeof invocation.top_p === "number") params.top_p = invocation.top_p;
    if (Array.isArray(invocation.tools) && invocation.tools.length > 0) params.tools = invocation.tools;
    if (invocation.tool_choice !== undefined) params.tool_choice = invocation.tool_choice;
    const name = runName ?? str((llm?.id as string[] | undefined)?.at(-1));
    this.#start(runId, parentRunId, "llm", name, metadata, {
      messages,
      params,
      streamed: invocation.stream === true,
      ...(model ? { model } : {}),
      ...(provider ? { provider } : {}),
    });
  }

  override handleChatModelStart(
    llm: unknown,
    messages: unknown[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Json,
    _tags?: string[],
    metadata?: Json,
    runName?: string,
  ): void {
    this.#guard(() =>
      this.#startModel(
        llm as Json,
        runId,
        parentRunId,
        extraParams,
        metadata,
        runName,
        (messages[0] ?? []).map(toOpenAIMessage),
      ),
    );
  }

  override handleLLMStart(
    llm: unknown,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Json,
    _tags?: string[],
    metadata?: Json,
    runName?: string,
  ): void {
    this.#guard(() =>
      this.#startModel(
        llm as Json,
        runId,
        parentRunId,
        extraParams,
        metadata,
        runName,
        prompts.slice(0, 1).map((content) => ({ role: "user", content })),
      ),
    );
  }

  override handleLLMNewToken(_token: string, _idx: unknown, runId: string): void {
    const run = this.#runs.get(runId);
    if (run && run.firstTokenAt === undefined) {
      run.firstTokenAt = this.#now();
      run.streamed = true;
    }
  }

  override handleLLMEnd(output: { generations?: unknown[][]; llmOutput?: Json }, runId: string): void {
    this.#guard(() => {
      const run = this.#runs.get(runId);
      if (!run) return;
      this.#runs.delete(runId);
      this.#emit(this.#modelLog(runId, run, output, undefined));
    });
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.#guard(() => {
      const run = this.#runs.get(runId);
      if (!run) return;
      this.#runs.delete(runId);
      this.#emit(this.#modelLog(runId, run, undefined, error));
    });
  }

  #modelLog(
    runId: string,
    run: RunState,
    output: { generations?: unknown[][]; llmOutput?: Json } | undefined,
    error: unknown,
  ): RequestLog {
    const log = this.#base(runId, run, error);
    log.log_type = "chat";
    log.stream = run.streamed === true;
    log.prompt_messages = run.messages ?? [];
    Object.assign(log, run.params);
    if (run.firstTokenAt !== undefined)
      log.time_to_first_token = Math.round(run.firstTokenAt - run.startedAt) / 1000;
    let model = run.model;
    if (output) {
      const generation = output.generations?.[0]?.[0] as
        | { text?: string; message?: Json; generationInfo?: Json }
        | undefined;
      const message = generation?.message;
      const responseMeta = (message?.response_metadata ?? {}) as Json;
      model = str(responseMeta.model_name) ?? str(responseMeta.model) ?? model;
      const toolCalls = toOpenAIToolCalls(message?.tool_calls);
      log.completion_message = {
        role: "assistant",
        content: message ? (message.content ?? "") : (generation?.text ?? ""),
        ...(toolCalls ? { tool_calls: toolCalls } : {}),
      };
      const finish =
        str(responseMeta.finish_reason) ??
        str(responseMeta.stop_reason) ??
        str(generation?.generationInfo?.finish_reason);
      if (finish) log.finish_reason = finish;
      applyUsage(log, usageOf(output), { model, provider: run.provider, prices: this.#options.prices });
    }
    if (model) log.model = model;
    if (run.provider) log.provider_id = run.provider;
    return log;
  }

  // ---- chain, tool and retriever runs: spans of the trace ----

  // The callback manager calls this as (chain, inputs, runId, parentRunId, tags, metadata, runType, runName,
  // extra) — not in the order the published .d.ts lists (runType fourth, parentRunId eighth).
  override handleChainStart(chain: unknown, inputs: Json, runId: string, ...rest: unknown[]): void {
    this.#guard(() => {
      const [parentRunId, , metadata, , runName, extra] = rest as [
        string | undefined,
        unknown,
        Json | undefined,
        unknown,
        string | undefined,
        Json | undefined,
      ];
      const name = runName ?? str(((chain as Json)?.id as string[] | undefined)?.at(-1));
      this.#start(
        runId,
        parentRunId,
        "chain",
        name,
        metadata,
        extra?.lc_defers_inputs ? {} : { input: inputs },
      );
    });
  }

  override handleChainEnd(
    outputs: Json,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    kwargs?: { inputs?: Json },
  ): void {
    this.#guard(() => this.#endSpan(runId, outputs, undefined, kwargs?.inputs));
  }

  override handleChainError(error: unknown, runId: string): void {
    this.#guard(() => this.#endSpan(runId, undefined, error));
  }

  override handleToolStart(
    tool: unknown,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Json,
    runName?: string,
  ): void {
    this.#guard(() =>
      this.#start(
        runId,
        parentRunId,
        "tool",
        runName ?? str(((tool as Json)?.id as string[] | undefined)?.at(-1)),
        metadata,
        { input },
      ),
    );
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.#guard(() => this.#endSpan(runId, output, undefined));
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#guard(() => this.#endSpan(runId, undefined, error));
  }

  override handleRetrieverStart(
    retriever: unknown,
    query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Json,
    name?: string,
  ): void {
    this.#guard(() =>
      this.#start(
        runId,
        parentRunId,
        "retriever",
        name ?? str(((retriever as Json)?.id as string[] | undefined)?.at(-1)),
        metadata,
        { input: query },
      ),
    );
  }

  override handleRetrieverEnd(documents: unknown, runId: string): void {
    this.#guard(() => this.#endSpan(runId, documents, undefined));
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.#guard(() => this.#endSpan(runId, undefined, error));
  }

  #endSpan(runId: string, output: unknown, error: unknown, lateInputs?: Json): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    this.#runs.delete(runId);
    if (this.#options.logSpans === false || run.kind === "llm") return;
    const log = this.#base(runId, run, error);
    log.log_type = spanTypes[run.kind];
    const input = lateInputs ?? run.input;
    if (input !== undefined) log.input = plain(input);
    if (output !== undefined) log.output = plain(output);
    this.#emit(log);
  }
}

function statusOf(error: unknown): number {
  const e = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const candidate of [e?.status, e?.statusCode, e?.response?.status]) {
    if (typeof candidate === "number" && candidate >= 400 && candidate < 600) return candidate;
  }
  return 500;
}

/** Inputs and outputs as JSON: LangChain messages become OpenAI-style messages, documents their content. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  const v = value as Json;
  if (
    typeof v._getType === "function" ||
    (v.lc === 1 && Array.isArray(v.id) && String((v.id as string[]).at(-1)).endsWith("Message"))
  )
    return toOpenAIMessage(value);
  if (typeof v.pageContent === "string") return { pageContent: v.pageContent, metadata: v.metadata };
  if (typeof v.toJSON === "function" && v.lc_serializable) return plain((v.toJSON as () => unknown)());
  const out: Json = {};
  for (const [key, child] of Object.entries(v)) out[key] = plain(child);
  return out;
}
