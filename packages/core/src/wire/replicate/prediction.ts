import { ProviderError } from "../../errors/errors.js";
import {
  canonicalChunk,
  type OpenAIChatChunk,
  type OpenAIChatCompletion,
  type OpenAIUsage,
} from "../openai-types.js";
import type { SseEvent } from "../sse.js";

type Json = Record<string, unknown>;

/** A prediction is done one way or another in these states; before them it is still running. */
export const terminalStatuses: ReadonlySet<string> = new Set(["succeeded", "failed", "canceled", "aborted"]);

/** The tokens a prediction reports in its `metrics`, once it has finished. */
export function predictionUsage(prediction: Json): OpenAIUsage | undefined {
  const metrics = prediction.metrics as Json | undefined;
  const prompt = metrics?.input_token_count;
  const completion = metrics?.output_token_count;
  if (typeof prompt !== "number" && typeof completion !== "number") return undefined;
  const input = typeof prompt === "number" ? prompt : 0;
  const output = typeof completion === "number" ? completion : 0;
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
}

/** A finished prediction that did not succeed, as the provider's error (its own message). */
export function predictionFailure(prediction: Json, provider: string): ProviderError | undefined {
  if (prediction.status === "succeeded") return undefined;
  const reason = typeof prediction.error === "string" ? prediction.error : String(prediction.status);
  return new ProviderError(
    provider,
    502,
    `Provider "${provider}" prediction ${String(prediction.status)}: ${reason}`,
    {
      code: "upstream_prediction_failed",
    },
  );
}

/** A succeeded prediction as the canonical completion: its output (a language model's tokens, joined) and usage. */
export function fromPrediction(
  prediction: Json,
  requestedModel: string,
  created: number,
): OpenAIChatCompletion {
  const output = prediction.output;
  const text = Array.isArray(output) ? output.map(String).join("") : typeof output === "string" ? output : "";
  const usage = predictionUsage(prediction);
  return {
    id: String(prediction.id ?? `chatcmpl-replicate-${created}`),
    object: "chat.completion",
    created,
    model: requestedModel,
    choices: [
      { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null },
    ],
    ...(usage ? { usage } : {}),
  };
}

/**
 * A prediction's stream (its `urls.stream`): `output` events carry raw text, `error` the failure, `done` the end
 * (with a `reason` when it did not succeed). Usage is not in the stream: the caller reads it from the finished
 * prediction.
 */
export class PredictionStreamTranslator {
  #started = false;
  ended = false;

  constructor(
    private readonly head: { id: string; created: number; model: string },
    private readonly provider: string,
  ) {}

  translate(event: SseEvent): OpenAIChatChunk[] {
    const out: OpenAIChatChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push(canonicalChunk(this.head, { role: "assistant", content: "" }));
    }
    if (event.event === "output" && event.data) out.push(canonicalChunk(this.head, { content: event.data }));
    if (event.event === "error" || (event.event === "done" && /"reason"\s*:\s*"(?!")/.test(event.data))) {
      let detail = event.data;
      try {
        const data = JSON.parse(event.data) as Json;
        detail = String(data.detail ?? data.reason ?? event.data);
      } catch {}
      throw new ProviderError(this.provider, 502, `Provider "${this.provider}" stream error: ${detail}`, {
        code: "upstream_prediction_failed",
      });
    }
    if (event.event === "done") {
      this.ended = true;
      out.push(canonicalChunk(this.head, {}, "stop"));
    }
    return out;
  }
}
