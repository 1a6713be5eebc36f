import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidRequestError, readJsonBody } from "@keyway/core";
import { sendJson } from "../http/respond.js";
import type { LogStore } from "../store/log-store.js";
import { type IngestOptions, prepareIngested } from "./prepare-ingested.js";

type Json = Record<string, unknown>;

/**
 * `POST /api/request-logs/create/` and `/api/request-logs/` take one log (or `{logs:[…]}`);
 * `/api/request-logs/batch/` and `/api/traces/ingest/` take an array. A batch is validated whole: one bad log
 * is a 400 naming it (`logs.3.prompt_tokens`) and nothing is stored. With `respan_api_controls.block: false`
 * the answer comes before the write.
 */
export function createIngestRoute(
  store: LogStore,
  options: IngestOptions & { maxBodyBytes: number; onError: (error: unknown) => void },
) {
  return async (req: IncomingMessage, res: ServerResponse, kind: "single" | "batch"): Promise<void> => {
    const body = await readJsonBody(req, options.maxBodyBytes);
    let items: unknown[];
    let batch = true;
    if (Array.isArray(body)) items = body;
    else if (typeof body === "object" && body !== null && Array.isArray((body as Json).logs))
      items = (body as Json).logs as unknown[];
    else if (kind === "single") {
      items = [body];
      batch = false;
    } else
      throw new InvalidRequestError("A batch must be a JSON array of logs (or {logs: [...]}).", {
        field: "logs",
      });
    if (items.length === 0) throw new InvalidRequestError("The batch holds no logs.", { field: "logs" });
    const logs = items.map((item, index) => prepareIngested(item, options, batch ? `logs.${index}.` : ""));
    const ids = logs.map((log) => log.unique_id);
    const controls = (!Array.isArray(body) && (body as Json)?.respan_api_controls) as Json | undefined;
    if (controls?.block === false) {
      sendJson(res, 202, { message: "accepted", unique_ids: ids });
      // Already answered: a failed write can only be reported.
      await store.insert(logs).catch(options.onError);
      return;
    }
    const result = await store.insert(logs);
    if (batch) sendJson(res, 200, { message: "logs created", ...result, unique_ids: ids });
    else
      sendJson(res, result.inserted === 1 ? 201 : 200, {
        message: result.inserted === 1 ? "log created" : "duplicate log, nothing stored",
        unique_id: ids[0],
      });
  };
}
