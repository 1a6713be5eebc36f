import { ProviderError, RequestAbortedError, UpstreamTimeoutError } from "../../errors/errors.js";
import type { UpstreamResponse } from "../../transport/upstream-transport.js";

export interface BodyLimits {
  /** Longest silence allowed between two reads of the body. */
  idleTimeoutMs: number;
  /** Most bytes read from one upstream body. */
  maxBytes: number;
}

/** An answer the gateway cannot read as the provider's API promises: the provider's failure (502). */
export const badResponse = (provider: string, what: string) =>
  new ProviderError(provider, 502, `Provider "${provider}" sent ${what}`, { code: "bad_upstream_response" });

const reasonOf = (error: unknown): string =>
  (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));

/**
 * An upstream body as it arrives, ending in a typed error instead of hanging or growing without end: an upstream
 * silent for `idleTimeoutMs` after its headers is `upstream_timeout` (504), one sending more than `maxBytes` or
 * dropping the connection mid-body is a `ProviderError` (502) — the provider's failure, not the gateway's.
 */
export async function* guardedBody(
  response: UpstreamResponse,
  provider: string,
  limits: BodyLimits,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const iterator = response.body[Symbol.asyncIterator]();
  let idle = false;
  let finished = false;
  let received = 0;
  const timer = setTimeout(() => {
    idle = true;
    response.cancel();
  }, limits.idleTimeoutMs);
  try {
    for (;;) {
      timer.refresh();
      let step: IteratorResult<Uint8Array>;
      try {
        step = await iterator.next();
      } catch (error) {
        if (signal?.aborted) throw new RequestAbortedError(error);
        if (idle) throw new UpstreamTimeoutError(provider, limits.idleTimeoutMs, "idle");
        throw new ProviderError(
          provider,
          502,
          `Provider "${provider}" dropped the connection mid-response (${reasonOf(error)}).`,
          { cause: error },
        );
      }
      if (idle) throw new UpstreamTimeoutError(provider, limits.idleTimeoutMs, "idle");
      if (step.done) {
        finished = true;
        return;
      }
      received += step.value.byteLength;
      if (received > limits.maxBytes) {
        response.cancel();
        throw new ProviderError(
          provider,
          502,
          `Provider "${provider}" sent a response larger than ${limits.maxBytes} bytes; it was cut off.`,
          { code: "upstream_response_too_large" },
        );
      }
      yield step.value;
    }
  } finally {
    clearTimeout(timer);
    // Left before the end: after an error above the connection is gone already; a reader that stopped (after
    // `[DONE]`) leaves the rest to be read, so the connection can be reused.
    if (!finished) response.discard();
  }
}

/** The whole body as text, under the same limits. */
export async function readGuardedText(
  response: UpstreamResponse,
  provider: string,
  limits: BodyLimits,
  signal: AbortSignal | undefined,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of guardedBody(response, provider, limits, signal)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** The whole body as a JSON object, under the same limits; anything else is the provider's 502. */
export async function readGuardedJson(
  response: UpstreamResponse,
  provider: string,
  limits: BodyLimits,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>> {
  const text = await readGuardedText(response, provider, limits, signal);
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === "object" && body !== null) return body as Record<string, unknown>;
  } catch {}
  throw badResponse(provider, "a body that is not JSON");
}
