import { GatewayClosedError } from "../errors/errors.js";

/**
 * The calls a gateway has under way, and its closing: once `close` is called new calls are refused
 * (`gateway_closed`), and closing waits for those in flight — up to `graceMs` — before `then` releases resources.
 */
export class CallTracker {
  readonly #inflight = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;

  /** A call starts (refused once closing); the function returned says it ended. */
  start(): () => void {
    if (this.#closing) throw new GatewayClosedError();
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#inflight.add(settled);
    return () => {
      this.#inflight.delete(settled);
      settle();
    };
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  close(graceMs: number, then: () => Promise<void>): Promise<void> {
    this.#closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.#inflight),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      await then();
    })();
    return this.#closing;
  }
}
