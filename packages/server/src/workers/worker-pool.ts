import type { Transferable, Worker } from "node:worker_threads";

/** What a pooled worker posts back for the job `id`: its output, or an error's message (and a code, if typed). */
export interface WorkerReply<Out> {
  id: number;
  output?: Out;
  error?: { message: string; code?: string; statusCode?: number };
}

interface Job<In, Out> {
  id: number;
  input: In;
  transfer: readonly Transferable[];
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

interface Slot<In, Out> {
  worker: Worker;
  job: Job<In, Out> | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface WorkerPoolOptions {
  size: number;
  timeoutMs: number;
  /** A new worker that answers `{ id, input }` messages with a `WorkerReply`. */
  spawn: () => Worker;
  /** The error a job past `timeoutMs` fails with (its worker is ended and replaced). */
  timeoutError: () => Error;
  /** The error a job fails with when its worker reports one, or dies (out of memory, a crash). */
  replyError: (error: NonNullable<WorkerReply<unknown>["error"]> | Error) => Error;
}

/**
 * CPU-heavy or blocking work off the main thread, so `/healthz` and every other request keep being answered: a
 * few workers, spawned on demand, one job each at a time, a queue for the rest. A job past its time is stopped —
 * its worker terminated (a runaway loop cannot be interrupted otherwise) and replaced by the next job's spawn.
 */
export class WorkerPool<In, Out> {
  readonly #slots: Slot<In, Out>[] = [];
  readonly #queue: Job<In, Out>[] = [];
  #nextId = 0;
  #closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  run(input: In, transfer: readonly Transferable[] = []): Promise<Out> {
    if (this.#closed) return Promise.reject(new Error("worker pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: ++this.#nextId, input, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error("worker pool is closed"));
    await Promise.all(
      this.#slots.splice(0).map((slot) => {
        clearTimeout(slot.timer);
        slot.job?.reject(new Error("worker pool is closed"));
        return slot.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.job === undefined);
      if (!slot && this.#slots.length < this.options.size) slot = this.#spawn();
      if (!slot) return;
      const job = this.#queue.shift() as Job<In, Out>;
      const taken = slot;
      taken.job = job;
      taken.timer = setTimeout(
        () => this.#retire(taken, this.options.timeoutError()),
        this.options.timeoutMs,
      );
      taken.worker.postMessage({ id: job.id, input: job.input }, job.transfer);
    }
  }

  #spawn(): Slot<In, Out> {
    const worker = this.options.spawn();
    worker.unref();
    const slot: Slot<In, Out> = { worker, job: undefined, timer: undefined };
    worker.on("message", (reply: WorkerReply<Out>) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      if (reply.error !== undefined) job.reject(this.options.replyError(reply.error));
      else job.resolve(reply.output as Out);
      this.#dispatch();
    });
    worker.on("error", (error) => this.#retire(slot, this.options.replyError(error)));
    worker.on("exit", () => this.#retire(slot, this.options.replyError(new Error("the worker stopped"))));
    this.#slots.push(slot);
    return slot;
  }

  #retire(slot: Slot<In, Out>, error: unknown): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#slots.splice(index, 1);
    clearTimeout(slot.timer);
    slot.job?.reject(error);
    slot.job = undefined;
    void slot.worker.terminate();
    if (!this.#closed) this.#dispatch();
  }
}
