import { contentFields, type RequestLog } from "./request-log.js";

/** `disable_log`: the log keeps its metrics (tokens, cost, timing, status, identity) and loses all content. */
export function dropContent(log: RequestLog): RequestLog {
  const kept: RequestLog = { ...log, disable_log: true };
  for (const field of contentFields) delete kept[field];
  return kept;
}
