import type { NativeFormat } from "../providers/provider-spec.js";

/**
 * Pass-through: when a caller speaks a provider's own API (Anthropic's Messages) and the call lands on a provider of
 * that API, the caller's request goes upstream as it came, and the provider's answer comes back as it went — the
 * canonical (OpenAI-shaped) completion and chunks still flow through the pipeline for routing and the log, and
 * carry the native answer with them under these keys.
 */
export const nativeAnswer = Symbol.for("keyway.nativeAnswer");
/** On a canonical chunk: the provider's own stream events that produced it (in order). */
export const nativeEvents = Symbol.for("keyway.nativeEvents");

// The client APIs a caller may speak that some provider also speaks natively: the providers' list names them.
export type { NativeFormat } from "../providers/provider-spec.js";

/** The caller's own request, in a provider's API. */
export interface NativeRequest {
  format: NativeFormat;
  body: Record<string, unknown>;
}

export interface NativeEvent {
  event?: string;
  data: unknown;
}

/** Attaches a native value without making it part of the object's JSON. */
export function attachNative<T extends object>(target: T, key: symbol, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: false });
  return target;
}

/** An answer in the caller's API: the provider's own when the call was passed through, else `encode`'s. */
export function nativeAnswerOr<T extends object>(completion: T, encode: (completion: T) => unknown): unknown {
  return (completion as Record<symbol, unknown>)[nativeAnswer] ?? encode(completion);
}

/** The provider's own events a canonical chunk carries, when the call was passed through. */
export const nativeEventsOf = (chunk: object): NativeEvent[] | undefined =>
  (chunk as Record<symbol, NativeEvent[] | undefined>)[nativeEvents];

/**
 * A stream in the caller's API: the provider's own events when the call was passed through (its first chunk
 * carries them), else what `encode` makes of the canonical chunks.
 */
export async function* nativeOr<T extends object>(
  chunks: AsyncIterable<T>,
  encode: (chunks: AsyncIterable<T>) => AsyncIterable<NativeEvent>,
): AsyncGenerator<NativeEvent> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  const rest: AsyncIterable<T> = { [Symbol.asyncIterator]: () => iterator };
  if (!first.done && nativeEventsOf(first.value)) {
    yield* nativeEventsOf(first.value) ?? [];
    for await (const chunk of rest) yield* nativeEventsOf(chunk) ?? [];
    return;
  }
  yield* encode(
    (async function* () {
      if (!first.done) yield first.value;
      yield* rest;
    })(),
  );
}
