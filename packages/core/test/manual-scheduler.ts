import type { Scheduler } from "../src/transport/scheduler.js";

/** A scheduler whose clock moves only when the test says: retries and batch intervals without waiting. */
export function manualScheduler() {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const deferred: (() => void)[] = [];
  const runDeferred = () => {
    while (deferred.length > 0) (deferred.shift() as () => void)();
  };
  const scheduler: Scheduler = {
    setTimeout(fn, ms) {
      const id = ++nextId;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    defer: (fn) => {
      deferred.push(fn);
    },
    now: () => now,
  };
  return {
    scheduler,
    runDeferred,
    /** Due times of the timers still pending, soonest first. */
    pending: () => [...timers.values()].map((timer) => timer.at).sort((a, b) => a - b),
    /** Moves the clock to the soonest pending timer and fires it (and any due with it). */
    advanceToNext() {
      const next = Math.min(...[...timers.values()].map((timer) => timer.at));
      if (Number.isFinite(next)) this.advance(next - now);
    },
    /** Moves the clock `ms` ahead, firing every timer due on the way, in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        runDeferred();
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
      runDeferred();
    },
  };
}
