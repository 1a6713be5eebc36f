import { RequestAbortedError } from "../errors/errors.js";

/** Waits `ms`, or rejects with `RequestAbortedError` as soon as `signal` aborts (the listener removed either way). */
export const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RequestAbortedError(signal?.reason));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
