import type { SqlValue } from "./log-query.js";

/**
 * A value as Postgres text can hold it: NUL becomes U+FFFD (the stored JSON body keeps it, escaped). Every
 * parameter the Postgres store sends passes here — log rows, rollup dimensions, trace summaries, filters — so a
 * NUL in a customer, model or span name is stored, and found again, the same way everywhere.
 */
export const pgValue = (value: SqlValue | undefined): SqlValue =>
  typeof value === "string" && value.includes("\u0000")
    ? value.replaceAll("\u0000", "\uFFFD")
    : (value ?? null);
