import type { RequestLog } from "@keyway/core";

/**
 * The JSON of logs about to be stored, built while they were prepared (the secret scan serializes each log): the
 * row reuses it rather than serializing the log a second time. Taken once, and only for a log nothing changed
 * since: `prepareStored` remembers it as its last step, and the store takes it in the same write.
 */
const built = new WeakMap<RequestLog, string>();

export function rememberJson(log: RequestLog, json: string): void {
  built.set(log, json);
}

/** The log's JSON: the one built while preparing it, or built now. */
export function takeJson(log: RequestLog): string {
  const json = built.get(log);
  if (json === undefined) return JSON.stringify(log);
  built.delete(log);
  return json;
}
