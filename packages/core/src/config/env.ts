/** Reads one env var, treating empty as absent. Env is read only at the edges (config), never deep inside. */
export function readEnv(
  name: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** The logging endpoint `keyway serve` listens on by default. */
export const DEFAULT_LOG_BASE_URL = "http://127.0.0.1:8787";

/** The API key `keyway serve` accepts when none is configured; it only listens on loopback by default. */
export const DEFAULT_LOCAL_API_KEY = "kw_local";
