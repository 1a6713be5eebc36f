/** Callers of `flush()`, each waiting until every log accepted before its call is settled. */
export class FlushWaiters {
  #waiters: { seq: number; resolve: () => void }[] = [];

  get size(): number {
    return this.#waiters.length;
  }

  /** Resolves once `settle` is told that nothing at or below `seq` is unsettled. */
  wait(seq: number): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  /** `lowestUnsettled`: the smallest sequence number still in flight (infinity when none). */
  settle(lowestUnsettled: number): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.seq >= lowestUnsettled) return true;
      waiter.resolve();
      return false;
    });
  }
}
