import { parseRetryAfter } from "./backoff.js";
import { fetchTransport, nodeTransport, type UpstreamTransport } from "./upstream-transport.js";

/** How one POST of logs ended, as a value: what to do next is the caller's. */
export type SendResult =
  | { kind: "delivered" }
  /** The endpoint has no batch route (404/405 in `auto`): from now on one log per request; send these again. */
  | { kind: "no-batch-route" }
  /** Worth another try: a network error (`status` 0), a timeout, 408, 429 or 5xx. */
  | { kind: "retryable"; status: number; retryAfterMs: number | undefined; reason: string }
  /** Refused for good (other 4xx): resending the same logs would be refused again. */
  | { kind: "rejected"; status: number; reason: string };

export interface LogTransportOptions {
  baseURL: string;
  apiKey?: string | undefined;
  route: "auto" | "batch" | "single";
  requestTimeoutMs: number;
  fetch?: typeof globalThis.fetch | undefined;
}

const routes = { batch: "/api/request-logs/batch/", single: "/api/request-logs/create/" } as const;
const retryableStatus = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * POSTs serialized logs to a Respan-compatible endpoint — arrays to the batch route, or one log per request to
 * the single route — over its own keep-alive connections (closed by `close()`), and says how it went.
 */
export class HttpLogTransport {
  readonly #options: LogTransportOptions;
  readonly #http: UpstreamTransport;
  #route: "auto" | "batch" | "single";

  constructor(options: LogTransportOptions) {
    this.#options = options;
    this.#route = options.route;
    this.#http = options.fetch ? fetchTransport(options.fetch) : nodeTransport();
  }

  /** True once logs go one per request. */
  get single(): boolean {
    return this.#route === "single";
  }

  /** Sends serialized logs: all of them as one batch, or the first alone on the single route. */
  async send(lines: readonly string[]): Promise<SendResult> {
    const single = this.#route === "single";
    let status: number;
    let retryAfterMs: number | undefined;
    let reason: string;
    // A timer of our own rather than AbortSignal.timeout: cleared as soon as the answer is read, so a closed
    // sink leaves none behind.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#options.requestTimeoutMs);
    timer.unref();
    try {
      const response = await this.#http(`${this.#options.baseURL}${single ? routes.single : routes.batch}`, {
        headers: {
          "content-type": "application/json",
          ...(this.#options.apiKey ? { authorization: `Bearer ${this.#options.apiKey}` } : {}),
        },
        body: single ? (lines[0] as string) : `[${lines.join(",")}]`,
        signal: timeout.signal,
      });
      status = response.status;
      retryAfterMs = parseRetryAfter(response.header("retry-after"));
      reason = (await response.text().catch(() => "")).slice(0, 500);
    } catch (error) {
      status = 0;
      reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    } finally {
      clearTimeout(timer);
    }
    if (status >= 200 && status < 300) {
      if (this.#route === "auto") this.#route = "batch";
      return { kind: "delivered" };
    }
    if (this.#route === "auto" && (status === 404 || status === 405)) {
      this.#route = "single";
      return { kind: "no-batch-route" };
    }
    if (retryableStatus(status))
      return { kind: "retryable", status, retryAfterMs, reason: reason || String(status) };
    return { kind: "rejected", status, reason };
  }

  close(): void {
    this.#http.close?.();
  }
}
