import { HttpError } from "../http/http-error.js";

// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator intervention: shutdown,
// crash recovery, starting up), and what pg and the socket say when a connection drops with no SQLSTATE.
const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);
const unavailableMessages =
  /Connection terminated|connection (?:error|ended|is closed)|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed|terminating connection|the database system is (?:starting up|shutting down|in recovery mode)/i;

/** Whether an error says the database cannot be reached now (as opposed to refusing this statement). */
export function isStoreUnavailable(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? "";
  return (
    code.startsWith("08") ||
    code.startsWith("53") ||
    code.startsWith("57P") ||
    unavailableCodes.has(code) ||
    unavailableMessages.test(String((error as Error | undefined)?.message ?? ""))
  );
}

/** A Postgres error as the server answers it: 503 `query_timeout`, 503 `store_unavailable`, or as it came. */
export function typedPostgresError(error: unknown, maskedUrl: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === "57014")
    return new HttpError(
      503,
      "query_timeout",
      "The query ran too long and was stopped; narrow the window or filters.",
    );
  if (isStoreUnavailable(error))
    return new HttpError(
      503,
      "store_unavailable",
      `The log database ${maskedUrl} is unreachable (${code ?? "connection lost"}); try again shortly.`,
    );
  return error;
}
