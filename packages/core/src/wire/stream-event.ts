import { ProviderError } from "../errors/errors.js";
import type { SseEvent } from "./sse.js";

/** An upstream stream event's JSON; anything else is the provider's 502. */
export function streamEventJson(event: SseEvent, provider: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {}
  if (typeof data === "object" && data !== null && !Array.isArray(data))
    return data as Record<string, unknown>;
  throw new ProviderError(
    provider,
    502,
    `Provider "${provider}" sent a stream event that is not a JSON object`,
    {
      code: "bad_upstream_response",
    },
  );
}
