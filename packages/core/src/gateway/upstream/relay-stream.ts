import { RequestAbortedError } from "../../errors/errors.js";
import { CompletionAccumulator } from "../../wire/completion-accumulator.js";
import type { OpenAIChatChunk, OpenAIMessage, OpenAIUsage } from "../../wire/openai-types.js";

/** How a relayed stream ended: what the log needs. */
export interface StreamEnd {
  completion: OpenAIMessage | undefined;
  usage: OpenAIUsage | undefined;
  finishReason: string | null | undefined;
  firstOutputAt: number | undefined;
  error: unknown;
}

/**
 * Passes upstream chunks to the caller as they arrive while assembling the completion for the log. The usage-only
 * chunk the gateway asked for is dropped unless the caller asked for usage too. However the stream ends —
 * completed, failed, or the consumer stopped early (the upstream connection is then closed) — `onEnd` hears it
 * once.
 */
export async function* relayStream(
  upstream: { chunks: AsyncIterable<OpenAIChatChunk>; cancel: () => void },
  options: {
    callerWantsUsage: boolean;
    signal: AbortSignal | undefined;
    now: () => number;
    onEnd: (end: StreamEnd) => void;
  },
): AsyncGenerator<OpenAIChatChunk> {
  const accumulator = new CompletionAccumulator();
  let firstOutputAt: number | undefined;
  let error: unknown;
  let completed = false;
  try {
    for await (const chunk of upstream.chunks) {
      accumulator.add(chunk);
      if (firstOutputAt === undefined && CompletionAccumulator.carriesOutput(chunk))
        firstOutputAt = options.now();
      if (!options.callerWantsUsage) {
        if (chunk.choices.length === 0 && chunk.usage) continue;
        if ("usage" in chunk) delete chunk.usage;
      }
      yield chunk;
    }
    completed = true;
  } catch (caught) {
    error = options.signal?.aborted ? new RequestAbortedError(caught) : caught;
    throw error;
  } finally {
    // The consumer stopped early (break, abort, client gone): close the upstream connection.
    if (!completed && error === undefined) error = new RequestAbortedError();
    if (!completed) upstream.cancel();
    options.onEnd({
      completion: accumulator.message(),
      usage: accumulator.usage,
      finishReason: accumulator.finishReason,
      firstOutputAt,
      error,
    });
  }
}
