import { Worker } from "node:worker_threads";
import { HttpError } from "../http/http-error.js";

/**
 * The worker's whole program, run as a CommonJS script: a read-only connection of its own that runs one query
 * at a time. Plain JS in a string so the same code runs from the TypeScript sources and from the build.
 */
const workerProgram = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(workerData.path, { readOnly: true });
db.exec("PRAGMA busy_timeout = 5000");
const statements = new Map();
parentPort.on("message", ({ id, sql, params, bigInts }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size > 200) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    statement.setReadBigInts(Boolean(bigInts));
    parentPort.postMessage({ id, rows: statement.all(...params) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

type Params = (string | number | bigint | null)[];

interface Job {
  id: number;
  sql: string;
  params: Params;
  bigInts: boolean;
  resolve: (rows: unknown[]) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Read queries off the main thread: a few workers, each with its own read-only connection to the database (WAL
 * lets them read while the writer writes), so a scan over a million logs never stalls ingest or `/healthz`. A
 * query past `timeoutMs` is stopped — its worker is terminated and replaced — and answered 503 `query_timeout`.
 */
export class QueryWorkers {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 0;
  #closed = false;

  constructor(
    private readonly path: string,
    private readonly options: { size: number; timeoutMs: number },
  ) {}

  all<T>(sql: string, params: Params, bigInts = false): Promise<T[]> {
    if (this.#closed) return Promise.reject(new Error("log store is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({
        id: ++this.#nextId,
        sql,
        params,
        bigInts,
        resolve: resolve as Job["resolve"],
        reject,
      });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error("log store is closed"));
    await Promise.all(
      this.#slots.splice(0).map((slot) => {
        clearTimeout(slot.timer);
        slot.job?.reject(new Error("log store is closed"));
        return slot.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.job === undefined);
      if (!slot && this.#slots.length < this.options.size) slot = this.#spawn();
      if (!slot) return;
      const job = this.#queue.shift() as Job;
      slot.job = job;
      slot.timer = setTimeout(() => this.#timeOut(slot as Slot), this.options.timeoutMs);
      slot.worker.postMessage({ id: job.id, sql: job.sql, params: job.params, bigInts: job.bigInts });
    }
  }

  #spawn(): Slot {
    const worker = new Worker(workerProgram, { eval: true, workerData: { path: this.path } });
    worker.unref();
    const slot: Slot = { worker, job: undefined, timer: undefined };
    worker.on("message", (message: { id: number; rows?: unknown[]; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      if (message.error !== undefined) job.reject(new Error(message.error));
      else job.resolve(message.rows ?? []);
      this.#dispatch();
    });
    worker.on("error", (error) => this.#retire(slot, error));
    this.#slots.push(slot);
    return slot;
  }

  #timeOut(slot: Slot): void {
    this.#retire(
      slot,
      new HttpError(
        503,
        "query_timeout",
        `The query ran longer than ${this.options.timeoutMs} ms and was stopped; narrow the time window or the filters.`,
      ),
    );
  }

  /** Ends a worker (a runaway query cannot be interrupted otherwise) and fails its job; the next query spawns anew. */
  #retire(slot: Slot, error: unknown): void {
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
