/**
 * Answers sized for a model's context: a long string is cut where it stops fitting, with a marker saying how
 * much is left and the `get_log` call that reads the rest (the log's id, the field's path, the offset).
 */

function marker(logId: string, field: string, offset: number, total: number): string {
  const call = JSON.stringify({ unique_id: logId, field, offset });
  return `…[cut: ${total - offset} more characters of ${total}; get_log ${call} reads on]`;
}

/** `text` up to `max` characters, with the marker when it is longer. */
export function cutString(text: string, max: number, logId: string, field: string): string {
  return text.length <= max ? text : `${text.slice(0, max)}${marker(logId, field, max, text.length)}`;
}

function cutStrings(value: unknown, max: number, logId: string, path: string): unknown {
  if (typeof value === "string") return cutString(value, max, logId, path);
  if (Array.isArray(value))
    return value.map((item, i) => cutStrings(item, max, logId, path ? `${path}.${i}` : `${i}`));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = cutStrings(item, max, logId, path ? `${path}.${key}` : key);
    return out;
  }
  return value;
}

/**
 * A log that fits in about `maxChars` serialized: when it does not, every string is cut to the longest length
 * that makes it fit (halving from half the budget), so short fields stay whole and the long ones are marked.
 */
export function fitLog(
  log: Record<string, unknown>,
  maxChars: number,
  logId: string,
): { log: unknown; cut: boolean } {
  if (JSON.stringify(log).length <= maxChars) return { log, cut: false };
  let limit = Math.max(64, Math.floor(maxChars / 2));
  let fitted = cutStrings(log, limit, logId, "");
  while (limit > 64 && JSON.stringify(fitted).length > maxChars) {
    limit = Math.max(64, Math.floor(limit / 2));
    fitted = cutStrings(log, limit, logId, "");
  }
  return { log: fitted, cut: true };
}

/** The value at a dotted path (`prompt_messages.0.content`), or undefined. */
function valueAt(log: unknown, field: string): unknown {
  let value = log;
  for (const part of field.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export interface FieldSlice {
  unique_id: string;
  field: string;
  offset: number;
  total_chars: number;
  text: string;
  /** Where the next slice starts; null at the end. */
  next_offset: number | null;
}

/** One slice of a field's text (JSON when the field is not a string), or undefined when there is no such field. */
export function sliceField(
  log: Record<string, unknown>,
  logId: string,
  field: string,
  offset: number,
  maxChars: number,
): FieldSlice | undefined {
  const value = valueAt(log, field);
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const end = Math.min(text.length, offset + maxChars);
  return {
    unique_id: logId,
    field,
    offset,
    total_chars: text.length,
    text: text.slice(offset, end),
    next_offset: end < text.length ? end : null,
  };
}
