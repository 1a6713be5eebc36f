import type { IncomingMessage } from "node:http";
import { planReply } from "./reply.js";
import { splitIntoPieces } from "./tokens.js";
import type { FaultSpec, ReplyPlan } from "./types.js";

type Json = Record<string, unknown>;

/** The inputs Replicate's language models (Llama, Mistral, Claude, DeepSeek there) share; others are refused. */
const inputFields = new Set([
  "prompt",
  "system_prompt",
  "max_tokens",
  "min_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "length_penalty",
  "prompt_template",
]);
const bodyFields = new Set(["input", "stream", "webhook", "webhook_events_filter"]);

interface Prediction {
  id: string;
  model: string;
  input: Json;
  plan: ReplyPlan;
  createdAt: number;
  /** When it finishes by itself (a stream finishes it when the last event is sent). */
  doneAt: number;
  base: string;
  /** A scripted fault for its stream. */
  fault?: FaultSpec;
}

/** `…/v1/models/{owner}/{name}/predictions`, `…/v1/predictions/{id}` and its stream, under any prefix. */
export function replicateRoute(
  method: string | undefined,
  path: string,
): { op: "create"; prefix: string; model: string } | { op: "get" | "stream"; id: string } | undefined {
  const create = /^(.*\/v1)\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path);
  if (method === "POST" && create)
    return { op: "create", prefix: create[1] as string, model: `${create[2]}/${create[3]}` };
  const get = /\/v1\/predictions\/([\w-]+)$/.exec(path);
  if (method === "GET" && get) return { op: "get", id: get[1] as string };
  const stream = /\/replicate-stream\/([\w-]+)$/.exec(path);
  if (method === "GET" && stream) return { op: "stream", id: stream[1] as string };
  return undefined;
}

/** Replicate's error body (`detail`, as its API answers). */
export const replicateError = (status: number, detail: string) => ({ title: "Error", detail, status });

/**
 * Replicate's predictions, kept as the service keeps them: created, running for `runMs`, finished. With
 * `Prefer: wait` the answer waits for the end, but at most `waitMs`; a prediction still running is polled.
 */
export class ReplicatePredictions {
  runMs = 0;
  waitMs = 60_000;
  readonly #predictions = new Map<string, Prediction>();
  #seq = 0;

  constructor(private readonly ownURL: () => string) {}

  /** Checks and records a new prediction; a string is the 422 Replicate would answer. */
  create(model: string, prefix: string, body: unknown): Prediction | string {
    if (typeof body !== "object" || body === null) return "The request body must be a JSON object.";
    const b = body as Json;
    const extra = Object.keys(b).find((key) => !bodyFields.has(key));
    if (extra) return `Additional property ${extra} is not allowed`;
    const input = (b.input ?? {}) as Json;
    const unknown = Object.keys(input).find((key) => !inputFields.has(key));
    if (unknown) return `input: Additional property ${unknown} is not allowed`;
    if (typeof input.prompt !== "string") return "input: prompt is required";
    if (input.stop_sequences !== undefined && typeof input.stop_sequences !== "string")
      return "input.stop_sequences: Invalid type. Expected: string";
    const prompt = input.prompt;
    // A transcript prompt is answered on its last user turn, as a chat model reads it.
    const turns = prompt.split(/\n\nUser: |^User: /);
    const lastText = prompt.endsWith("\n\nAssistant:")
      ? (turns[turns.length - 1] ?? "").replace(/\n\nAssistant:$/, "")
      : prompt;
    const plan = planReply(
      {
        model,
        lastText,
        afterToolResult: false,
        promptText: `${String(input.system_prompt ?? "")} ${prompt}`,
        messageCount: 1,
        imageCount: 0,
        tools: [],
        toolChoice: "auto",
        ...(typeof input.max_tokens === "number" ? { maxTokens: input.max_tokens } : {}),
        cacheHint: false,
      },
      "call_",
    );
    const now = Date.now();
    const id = `rep${++this.#seq}emu`;
    const prediction = { id, model, input, plan, createdAt: now, doneAt: now + this.runMs, base: prefix };
    this.#predictions.set(id, prediction);
    return prediction;
  }

  find(id: string): Prediction | undefined {
    return this.#predictions.get(id);
  }

  /** The prediction as the API shows it now. */
  view(prediction: Prediction): Json {
    const done = Date.now() >= prediction.doneAt;
    const root = this.ownURL();
    return {
      id: prediction.id,
      model: prediction.model,
      version: "hidden",
      input: prediction.input,
      logs: "",
      output: done ? splitIntoPieces(prediction.plan.text) : null,
      error: null,
      status: done ? "succeeded" : "processing",
      created_at: new Date(prediction.createdAt).toISOString(),
      urls: {
        get: `${root}${prediction.base}/predictions/${prediction.id}`,
        cancel: `${root}${prediction.base}/predictions/${prediction.id}/cancel`,
        stream: `${root}/replicate-stream/${prediction.id}`,
      },
      ...(done
        ? {
            completed_at: new Date(prediction.doneAt).toISOString(),
            metrics: {
              input_token_count: prediction.plan.promptTokens,
              output_token_count: prediction.plan.completionTokens,
              predict_time: 0.01,
            },
          }
        : {}),
    };
  }

  /** `Prefer: wait` (or `wait=n` seconds): how long to hold the answer for the prediction to finish. */
  waitFor(req: IncomingMessage, prediction: Prediction): number {
    const prefer = String(req.headers.prefer ?? "");
    const match = /^wait(?:=(\d+))?$/.exec(prefer.trim());
    if (!match) return 0;
    const limit = match[1] ? Number(match[1]) * 1000 : this.waitMs;
    return Math.max(0, Math.min(prediction.doneAt - Date.now(), limit, this.waitMs));
  }

  /** Its stream's events; once read to the end the prediction has finished. */
  streamEvents(prediction: Prediction): string[] {
    prediction.doneAt = Number.MAX_SAFE_INTEGER;
    const events = splitIntoPieces(prediction.plan.text).map(
      (piece, index) => `event: output\nid: ${index}\ndata: ${piece.replaceAll("\n", "\ndata: ")}\n\n`,
    );
    return [...events, "event: done\ndata: {}\n\n"];
  }

  /** The stream was written out: the prediction is done. */
  finishStream(prediction: Prediction): void {
    prediction.doneAt = Date.now();
  }
}
