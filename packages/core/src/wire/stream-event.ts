import { ProviderError } from "../errors/errors.js";
import type { SseEvent } from "./sse.js";

/** An upstream stream event's JSON; anything else is the provider's 502. */
export function streamEventJson(event: SseEvent, provider: string): Record<string, unknown> {
  try {
    return JSON.parse(event.data) as Record<string, unknown>;
  } catch {
    throw new ProviderError(provider, 502, `Provider "${provider}" sent a stream event that is not JSON`, {
      code: "bad_upstream_response",
    });
  }
}
