/** Timers and clock of a sink, injectable so tests can run its retries and batching without waiting. */
export interface Scheduler {
  /** Runs `fn` after `ms`; `keepAlive` timers hold the process open (a flush), the others never do. */
  setTimeout(fn: () => void, ms: number, options?: { keepAlive?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `fn` soon, after the current turn (preparation of what `log()` accepted). */
  defer(fn: () => void): void;
  now(): number;
}

export const realScheduler: Scheduler = {
  setTimeout(fn, ms, options) {
    const timer = setTimeout(fn, ms);
    if (!options?.keepAlive) timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  defer: (fn) => {
    setImmediate(fn).unref();
  },
  now: Date.now,
};
