import { randomUUID } from "node:crypto";
import type { RequestLog, RequestLogDraft } from "./request-log.js";

/**
 * The log with a `unique_id`: its own, else a fresh one. A sink stamps it once, when it accepts the log, so
 * every resend (a retry after a lost answer, a spool replay) carries the same id and the endpoint stores it once.
 */
export function withLogId(log: RequestLogDraft): RequestLog {
  const id = log.unique_id;
  return typeof id === "string" && id !== "" ? (log as RequestLog) : { ...log, unique_id: randomUUID() };
}
