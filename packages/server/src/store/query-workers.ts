import { Worker } from "node:worker_threads";
import { HttpError } from "../http/http-error.js";
import { WorkerPool } from "../workers/worker-pool.js";

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
parentPort.on("message", ({ id, input: { sql, params, bigInts } }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size > 200) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    statement.setReadBigInts(Boolean(bigInts));
    parentPort.postMessage({ id, output: statement.all(...params) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String((error && error.message) || error) } });
  }
});
`;

type Params = (string | number | bigint | null)[];

/**
 * Read queries off the main thread: a few workers, each with its own read-only connection to the database (WAL
 * lets them read while the writer writes), so a scan over a million logs never stalls ingest or `/healthz`. A
 * query past `timeoutMs` is stopped — its worker is terminated and replaced — and answered 503 `query_timeout`.
 */
export class QueryWorkers {
  readonly #pool: WorkerPool<{ sql: string; params: Params; bigInts: boolean }, unknown[]>;

  constructor(path: string, options: { size: number; timeoutMs: number }) {
    this.#pool = new WorkerPool({
      size: options.size,
      timeoutMs: options.timeoutMs,
      spawn: () => new Worker(workerProgram, { eval: true, workerData: { path } }),
      timeoutError: () =>
        new HttpError(
          503,
          "query_timeout",
          `The query ran longer than ${options.timeoutMs} ms and was stopped; narrow the time window or the filters.`,
        ),
      replyError: (error) => new Error(error.message),
    });
  }

  all<T>(sql: string, params: Params, bigInts = false): Promise<T[]> {
    return this.#pool.run({ sql, params, bigInts }) as Promise<T[]>;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
