import type { LogEntry } from "./log-entry.js";

/** The logs waiting to be sent, bounded in count and bytes; batches are taken from the front. */
export class LogQueue {
  #entries: LogEntry[] = [];
  #bytes = 0;
  #roomWaiters: (() => void)[] = [];

  constructor(
    readonly maxSize: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.#entries.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Whether `entry` fits within the bounds. */
  fits(entry: LogEntry): boolean {
    return this.#entries.length < this.maxSize && this.#bytes + entry.json.length <= this.maxBytes;
  }

  push(entry: LogEntry): void {
    this.#entries.push(entry);
    this.#bytes += entry.json.length;
  }

  /** Puts entries back at the front, in their order (a batch that must be sent again). */
  unshift(entries: readonly LogEntry[]): void {
    this.#entries.unshift(...entries);
    for (const entry of entries) this.#bytes += entry.json.length;
  }

  /** Up to `size` entries and `maxBatchBytes` (at least one entry), from the front. */
  take(size: number, maxBatchBytes: number): LogEntry[] {
    const taken: LogEntry[] = [];
    let bytes = 2;
    while (this.#entries.length > 0 && taken.length < size) {
      const next = this.#entries[0] as LogEntry;
      if (taken.length > 0 && bytes + next.json.length + 1 > maxBatchBytes) break;
      this.#entries.shift();
      this.#bytes -= next.json.length;
      bytes += next.json.length + 1;
      taken.push(next);
    }
    return taken;
  }

  /** Puts entries back at the front as far as the count bound allows; returns those that did not fit. */
  putBack(entries: readonly LogEntry[]): LogEntry[] {
    const room = Math.max(0, this.maxSize - this.#entries.length);
    this.unshift(entries.slice(0, room));
    return entries.slice(room);
  }

  /** Resolves once the queue is at most half full (spool replay waits on it, so it never floods memory). */
  room(): Promise<void> {
    if (this.#entries.length < this.maxSize / 2) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Wakes `room()` waiters when there is room again, or all of them with `all` (the sink is closing). */
  wakeRoomWaiters(all = false): void {
    if (this.#roomWaiters.length === 0 || (!all && this.#entries.length >= this.maxSize / 2)) return;
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }

  drain(): LogEntry[] {
    this.#bytes = 0;
    return this.#entries.splice(0);
  }

  lowestSeq(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries) if (entry.seq < lowest) lowest = entry.seq;
    return lowest;
  }
}
