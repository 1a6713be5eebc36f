/** Whether `keyway serve --db` names a Postgres database rather than a SQLite file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(?:ql)?:\/\//i.test(db);

const passwordInUrl = /(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi;

/** Text with the password of every Postgres URL in it replaced by `***` (for messages that may quote one). */
export const maskUrls = (text: string): string => text.replace(passwordInUrl, "$1***@");

/** The URL with its password replaced by `***`, for the startup line and every error. */
export function maskUrl(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return maskUrls(db);
  }
}
