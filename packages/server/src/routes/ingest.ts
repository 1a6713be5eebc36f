import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidRequestError, type RequestLog, readJsonBody, requestLogInputSchema } from "@keyway/core";
import { HttpError } from "../http/http-error.js";
import { sendJson } from "../http/respond.js";
import type { LogWriter } from "../metrics/server-metrics.js";
import { type IngestOptions, prepareIngested } from "./prepare-ingested.js";

type Json = Record<string, unknown>;

export type IngestKind = "single" | "batch" | "spans";

// Fields only a log has: a body with none of them is something else posted to the wrong route.
const logFields = new Set(Object.keys(requestLogInputSchema.shape));

/** Respan's exporters send flat span logs without a log id: the span's own id makes a resend idempotent. */
function withSpanId(item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const span = item as Json;
  if (span.unique_id !== undefined || typeof span.span_unique_id !== "string") return item;
  const trace = typeof span.trace_unique_id === "string" ? `${span.trace_unique_id}-` : "";
  return { ...span, unique_id: `${trace}${span.span_unique_id}` };
}

function itemsOf(body: unknown, kind: IngestKind): { items: unknown[]; batch: boolean } {
  if (Array.isArray(body)) return { items: body, batch: true };
  const object = typeof body === "object" && body !== null ? (body as Json) : undefined;
  if (object && Array.isArray(object.logs)) return { items: object.logs, batch: true };
  if (kind === "spans") {
    if (object && Array.isArray(object.data)) return { items: object.data, batch: true };
    throw new InvalidRequestError("Spans must be a JSON array of span logs, or {data: [...]}.", {
      field: "data",
    });
  }
  if (kind === "batch")
    throw new InvalidRequestError("A batch must be a JSON array of logs (or {logs: [...]}).", {
      field: "logs",
    });
  if (!object || !Object.keys(object).some((key) => logFields.has(key))) {
    const keys = object ? Object.keys(object).slice(0, 5).join(", ") || "nothing" : typeof body;
    throw new InvalidRequestError(
      `The body is not a request log: it has ${keys}, and none of a log's fields (model, prompt_messages or input, completion_message or output, unique_id, …). Batches go to /api/request-logs/batch/, span logs to /api/v1/traces/ingest.`,
      { code: "not_a_log" },
    );
  }
  return { items: [object], batch: false };
}

/**
 * Log ingest, every route the doors and Respan's own clients post to: `single` (`/api/request-logs/create/`,
 * `/api/request-logs/`: one log, or `{logs:[…]}`), `batch` (`/api/request-logs/batch/`: an
 * array) and `spans` (`/api/traces/ingest/`, `/api/v1/traces/ingest`, `/api/integrations/v1/traces/ingest`: Respan's flat span logs, an
 * array or `{data:[…]}`, idempotent on the span id). A batch is validated whole: one bad log is a 400 naming it
 * (`logs.3.prompt_tokens`) and nothing is stored. With `respan_api_controls.block: false` the answer comes first.
 */
export function createIngestRoute(
  writers: Record<IngestKind, LogWriter>,
  options: IngestOptions & { maxBodyBytes: number; onError: (error: unknown) => void },
) {
  return async (req: IncomingMessage, res: ServerResponse, kind: IngestKind): Promise<void> => {
    const store = writers[kind];
    const body = await readJsonBody(req, options.maxBodyBytes);
    const { items, batch } = itemsOf(body, kind);
    if (items.length === 0) throw new InvalidRequestError("The batch holds no logs.", { field: "logs" });
    let logs: RequestLog[];
    try {
      logs = items.map((item, index) =>
        prepareIngested(kind === "spans" ? withSpanId(item) : item, options, batch ? `logs.${index}.` : ""),
      );
    } catch (error) {
      // Validated whole: one bad log refuses the batch.
      store.refused(items.length);
      throw error;
    }
    const ids = logs.map((log) => log.unique_id);
    const controls = (!Array.isArray(body) && (body as Json)?.respan_api_controls) as Json | undefined;
    if (controls?.block === false) {
      sendJson(res, 202, { message: "accepted", unique_ids: ids });
      // Already answered: a failed write can only be reported.
      await store.insert(logs).catch(options.onError);
      return;
    }
    const result = await store.insert(logs);
    if (batch)
      sendJson(res, 200, {
        message: result.rejected
          ? `logs created; the store refused ${result.rejected.length} of ${logs.length} (see rejected)`
          : "logs created",
        ...result,
        unique_ids: ids,
      });
    else if (result.rejected)
      throw new HttpError(
        422,
        "log_not_storable",
        `The store refused this log: ${result.rejected[0]?.reason ?? "unknown reason"}`,
      );
    else
      sendJson(res, result.inserted === 1 ? 201 : 200, {
        message: result.inserted === 1 ? "log created" : "duplicate log, nothing stored",
        unique_id: ids[0],
      });
  };
}
