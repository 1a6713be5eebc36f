import {
  type ChatMessage,
  type CustomerParams,
  createSink,
  currentContext,
  type LogSink,
  type ModelPrices,
  type RequestLog,
} from "@keyway/core";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { plain, toOpenAIMessage } from "./message-mapping.js";
import { fillModelLog, type ModelRunOutput, modelRunStart } from "./model-run.js";
import { type RunState, runIdentity, runLog, runNameOf } from "./run-log.js";

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

const spanTypes = { chain: "workflow", tool: "tool", retriever: "task" } as const;

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

  #base(runId: string, run: RunState, error: unknown): RequestLog {
    return runLog(runId, run, error, this.#now(), runIdentity(run, this.#options));
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
    const name = runNameOf(llm, runName);
    this.#start(runId, parentRunId, "llm", name, metadata, {
      messages,
      ...modelRunStart(extraParams, metadata),
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

  override handleLLMEnd(output: ModelRunOutput, runId: string): void {
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

  #modelLog(runId: string, run: RunState, output: ModelRunOutput | undefined, error: unknown): RequestLog {
    const firstTokenAfterMs = run.firstTokenAt === undefined ? undefined : run.firstTokenAt - run.startedAt;
    return fillModelLog(
      this.#base(runId, run, error),
      { ...run, params: run.params ?? {}, streamed: run.streamed === true, firstTokenAfterMs },
      output,
      this.#options.prices,
    );
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
      const name = runNameOf(chain, runName);
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
    this.#guard(() => this.#start(runId, parentRunId, "tool", runNameOf(tool, runName), metadata, { input }));
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
      this.#start(runId, parentRunId, "retriever", runNameOf(retriever, name), metadata, { input: query }),
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
