import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InvalidRequestError } from "@keyway/core";
import { HttpError } from "../http/http-error.js";
import { WorkerPool } from "../workers/worker-pool.js";
import type { DecodeJob } from "./decode-worker.js";
import { otlpTraceSchema } from "./otlp-trace-schema.js";
import type { DecodedExport } from "./span-record.js";

// The worker runs as the same kind of file as this one: `.ts` from the sources (Node strips the types), `.js`
// from the build.
const workerUrl = new URL(`./decode-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export interface OtlpDecoderOptions {
  /** A decode running longer is stopped and answered 503 `decode_timeout` (default 30 s). */
  timeoutMs?: number;
  /** Heap a decoding worker may use before it is stopped and the export answered 413 (default 1 GiB). */
  maxHeapMb?: number;
}

/**
 * OTLP exports inflated, parsed and flattened off the main thread: a body of millions of tiny spans costs
 * seconds of parsing and a deeply nested one a deep walk, and neither may stall `/healthz` or other requests.
 * One worker (the machine the server runs on has few cores; exports queue behind each other).
 */
export class OtlpDecoder {
  readonly #pool: WorkerPool<DecodeJob, DecodedExport>;

  constructor(options: OtlpDecoderOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.#pool = new WorkerPool({
      size: 1,
      timeoutMs,
      spawn: () =>
        new Worker(workerUrl, {
          workerData: { schema: otlpTraceSchema },
          resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
        }),
      timeoutError: () =>
        new HttpError(
          503,
          "decode_timeout",
          `Decoding the export took longer than ${timeoutMs} ms; send smaller batches.`,
        ),
      replyError: (error) => {
        if ("code" in error && error.code === "ERR_WORKER_OUT_OF_MEMORY")
          return new InvalidRequestError("The export is too large to decode; send smaller batches.", {
            code: "body_too_large",
            statusCode: 413,
          });
        if (!(error instanceof Error) && error.code)
          return new InvalidRequestError(error.message, {
            code: error.code,
            statusCode: error.statusCode ?? 400,
          });
        return new HttpError(503, "decoder_unavailable", `The OTLP decoder failed: ${error.message}`);
      },
    });
  }

  decode(job: DecodeJob): Promise<DecodedExport> {
    // The body's memory moves to the worker. A small Buffer may sit in Node's shared pool, which must never be
    // transferred: that one is copied (Uint8Array's `slice` copies in one go, where Buffer's would share the memory).
    const { body } = job;
    const own: Uint8Array<ArrayBuffer> =
      body.byteOffset === 0 &&
      body.byteLength === body.buffer.byteLength &&
      body.buffer instanceof ArrayBuffer
        ? (body as Uint8Array<ArrayBuffer>)
        : (Uint8Array.prototype.slice.call(body) as Uint8Array<ArrayBuffer>);
    return this.#pool.run({ ...job, body: own }, [own.buffer]);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
