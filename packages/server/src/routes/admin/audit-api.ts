import { readLimit } from "../../http/query-filters.js";
import type { AdminRoute } from "./admin-context.js";

/** `GET /api/audit-log/`: who changed what, newest first (`cursor` pages back); never a secret's value. */
export const auditApi: AdminRoute = async (method, path, _body, { settings }, query) => {
  if (!/^\/api\/audit-log\/?$/.test(path) || method !== "GET") return undefined;
  const limit = readLimit(query, 100, 500);
  const cursor = Number(query.get("cursor"));
  const entries = await settings.store.auditLog({ limit, ...(cursor > 0 ? { before: cursor } : {}) });
  return {
    status: 200,
    body: {
      results: entries.map(({ seq: _seq, at, ...entry }) => ({ at: new Date(at).toISOString(), ...entry })),
      next_cursor: entries.length === limit ? String(entries.at(-1)?.seq) : null,
    },
  };
};
