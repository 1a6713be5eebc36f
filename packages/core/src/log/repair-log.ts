import type { RequestLog } from "./request-log.js";
import { type RequestLogInput, requestLogInputSchema } from "./request-log-schema.js";

/** Where a repaired log keeps what was wrong with it: field path → the value as it came (bounded). */
export const INVALID_FIELDS_KEY = "keyway_invalid_fields";
const MAX_ROUNDS = 4;
const MAX_SHOWN = 200;

type Json = Record<string, unknown>;

/** The value as it came, for the marker: JSON text, well-formed, at most 200 characters. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  text = text.toWellFormed();
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** A text that passes where the original did not: well-formed, and short enough for any id field. */
function bounded(value: string): string | undefined {
  const fixed = value.toWellFormed();
  if (fixed !== value && fixed.length <= MAX_SHOWN) return fixed;
  return fixed.length > MAX_SHOWN ? fixed.slice(0, MAX_SHOWN).toWellFormed() : undefined;
}

/** A copy of `root` with the value at `path` replaced (or removed when `value` is undefined); copies only the path. */
function replaced(root: Json, path: readonly PropertyKey[], value: unknown): Json {
  const [head, ...rest] = path;
  const copy: Json | unknown[] = Array.isArray(root) ? [...root] : { ...root };
  if (rest.length === 0) {
    if (value === undefined && !Array.isArray(copy)) delete (copy as Json)[head as string];
    else (copy as Json)[head as string] = value;
  } else {
    const child = (root as Json)[head as string];
    if (typeof child !== "object" || child === null) return root;
    (copy as Json)[head as string] = replaced(child as Json, rest, value);
  }
  return copy as Json;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) node = (node as Json | undefined)?.[key as string];
  return node;
}

/**
 * A log every store accepts, for a call that already happened (its answer went out; its log must not be lost):
 * each field the log schema refuses — a 1,001-character or ill-formed id, `email: 5`, `max_tokens: -1`, usage of
 * 1e300 tokens — is bounded when it is text (made well-formed, cut to 200 characters) and dropped otherwise, and
 * the value as it came is kept under `metadata.keyway_invalid_fields`, so the log says what it lost. A valid log
 * comes back as it was, not copied.
 */
export function repairLog(log: RequestLog): RequestLog {
  return repairParsed(log).log;
}

/**
 * `repairLog`, also answering the schema's output for the repaired log: what `normalizeLog` would get by
 * parsing it again, so a caller that normalizes next runs the schema once (undefined if the rounds ran out).
 */
export function repairParsed(log: RequestLog): { log: RequestLog; parsed: RequestLogInput | undefined } {
  let current = log as unknown as Json;
  let marks: Record<string, string> | undefined;
  let parsed: RequestLogInput | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = requestLogInputSchema.safeParse(current);
    if (result.success) {
      parsed = result.data;
      break;
    }
    marks ??= {};
    for (const issue of result.error.issues) {
      const path = issue.path;
      if (path.length === 0) continue;
      const name = path.map(String).join(".");
      const value = valueAt(current, path);
      if (!(name in marks)) marks[name] = shown(value);
      current = replaced(current, path, typeof value === "string" ? bounded(value) : undefined);
    }
  }
  if (!marks) return { log, parsed };
  const withMarks = <T extends Json>(value: T): T => {
    const metadata = value.metadata;
    const base =
      typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) ? metadata : {};
    return { ...value, metadata: { ...base, [INVALID_FIELDS_KEY]: marks } };
  };
  return {
    log: withMarks(current) as unknown as RequestLog,
    parsed: parsed && (withMarks(parsed as Json) as RequestLogInput),
  };
}
