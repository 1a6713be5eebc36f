import type { IncomingMessage, ServerResponse } from "node:http";
import { sleep } from "../emulator/reply-writer.js";
import { type ListeningServer, listen } from "../http/listen.js";
import { parseJson, readBody } from "../http/read-body.js";

export interface CapturedPost {
  at: number;
  path: string;
  authorization: string | undefined;
  /** Logs in this post (one for a single-log post). */
  logs: Record<string, unknown>[];
  status: number;
}

export interface CaptureFault {
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  times?: number;
  /** Store the post's logs, then drop the connection unanswered: the sender cannot know they arrived. */
  loseAnswer?: boolean;
}

export interface LogCapture {
  url: string;
  port: number;
  /** Every log accepted (status 2xx), in arrival order. */
  readonly logs: readonly Record<string, unknown>[];
  /** Every post, accepted or failed. */
  readonly posts: readonly CapturedPost[];
  /** Makes the next `times` posts (default: all) answer `status` after `delayMs`. */
  fail(fault: CaptureFault): void;
  clearFaults(): void;
  /** Stops listening (connections refused) until `resume()`; the port is kept. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  reset(): void;
  /** Client connections open right now (keep-alive ones included). */
  openConnections(): number;
  close(): Promise<void>;
}

const logRoutes = new Set([
  "/api/request-logs/create/",
  "/api/request-logs/",
  "/api/request-logs/batch/",
  "/api/traces/ingest/",
]);

function logsOf(body: unknown): Record<string, unknown>[] | undefined {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  if (typeof body !== "object" || body === null) return undefined;
  const batch = (body as { logs?: unknown }).logs;
  if (Array.isArray(batch)) return batch as Record<string, unknown>[];
  return [body as Record<string, unknown>];
}

/**
 * A stand-in for a Respan-compatible logging endpoint that records what it receives: single logs and
 * `{logs:[…]}` at `/api/request-logs/create/` and `/api/request-logs/`, arrays at `/api/request-logs/batch/`
 * and `/api/traces/ingest/`. It can be told to fail, to be slow, or to go away and come back.
 */
export interface LogCaptureOptions {
  port?: number;
  /** When set, posts without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** False: no `/api/request-logs/batch/` route (404), like an endpoint that only takes single logs. */
  batchRoute?: boolean;
  /** A status to refuse a post with when any of its logs matches (e.g. 400 for a log the endpoint rejects). */
  reject?: (log: Record<string, unknown>) => number | undefined;
}

export async function startLogCapture(options: LogCaptureOptions = {}): Promise<LogCapture> {
  let logs: Record<string, unknown>[] = [];
  let posts: CapturedPost[] = [];
  let faults: { fault: CaptureFault; remaining: number }[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const body = parseJson(await readBody(req));
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(payload));
      posts.push({
        at: Date.now(),
        path,
        authorization: req.headers.authorization,
        logs: logsOf(body) ?? [],
        status,
      });
    };
    const routeMissing =
      !logRoutes.has(path) || (options.batchRoute === false && path === "/api/request-logs/batch/");
    if (req.method !== "POST" || routeMissing) return answer(404, { detail: "Not found" });
    const active = faults.find((entry) => entry.remaining > 0);
    if (active) {
      active.remaining--;
      if (active.fault.delayMs) await sleep(active.fault.delayMs);
      if (active.fault.loseAnswer) {
        logs.push(...(logsOf(body) ?? []));
        posts.push({ at: Date.now(), path, authorization: req.headers.authorization, logs: [], status: 0 });
        res.socket?.destroy();
        return;
      }
      if (active.fault.status !== undefined) {
        const headers: Record<string, string> =
          active.fault.retryAfter !== undefined ? { "retry-after": String(active.fault.retryAfter) } : {};
        const detail =
          active.fault.status === 429
            ? { detail: "Rate limit exceeded", retry_after: active.fault.retryAfter ?? 1 }
            : { detail: "emulated failure" };
        return answer(active.fault.status, detail, headers);
      }
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return answer(401, { detail: "Authentication credentials were not provided." });
    }
    const received = logsOf(body);
    if (received === undefined) return answer(400, { detail: "body must be a JSON object or array" });
    for (const log of received) {
      const status = options.reject?.(log);
      if (status !== undefined) return answer(status, { detail: `log ${String(log.unique_id)} refused` });
    }
    logs.push(...received);
    return answer(200, { message: "log created", count: received.length });
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  let server: ListeningServer | undefined = await listen(handler, options.port);
  const port = server.port;

  return {
    url: server.url,
    port,
    get logs() {
      return logs;
    },
    get posts() {
      return posts;
    },
    fail: (fault) => {
      faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults: () => {
      faults = [];
    },
    async pause() {
      await server?.close();
      server = undefined;
    },
    async resume() {
      server ??= await listen(handler, port);
    },
    reset() {
      logs = [];
      posts = [];
      faults = [];
    },
    openConnections: () => server?.openConnections() ?? 0,
    async close() {
      await server?.close();
      server = undefined;
    },
  };
}
