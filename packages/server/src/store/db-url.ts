/** Whether `keyway serve --db` names a Postgres database rather than a SQLite file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(?:ql)?:\/\//i.test(db);

/** The URL with its password replaced by `***`, for the startup line and every error. */
export function maskUrl(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return db.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}
