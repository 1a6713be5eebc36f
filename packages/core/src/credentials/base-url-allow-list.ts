import { ForbiddenBaseURLError, InvalidRequestError } from "../errors/errors.js";

const defaultPort = (protocol: string) => (protocol === "https:" ? "443" : "80");
const entryPattern = /^(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?$/;

/**
 * A per-request base URL checked against the allow-list: http(s) only, and host *and* port must match an entry
 * (`host:port`, or `host` meaning that scheme's default port). Anything else would let a caller aim the gateway —
 * and the key it sends — at any service the gateway can reach.
 */
export function checkBaseURL(apiBase: string, allowed: readonly string[], field: string): string {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new InvalidRequestError(`${field} is not a URL`, { field });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ForbiddenBaseURLError(apiBase.split(":")[0] ?? "", "scheme");
  if (!hostAllowed(url, allowed))
    throw new ForbiddenBaseURLError(
      `${url.hostname.toLowerCase()}:${url.port || defaultPort(url.protocol)}`,
      "host",
    );
  return apiBase.replace(/\/+$/, "");
}

/** Whether the URL's host and port match an allow-list entry (`host:port`, or `host` for the scheme's default port). */
export function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  return allowed.some((entry) => {
    const parsed = entryPattern.exec(entry.trim().toLowerCase());
    return parsed !== null && parsed[1] === host && (parsed[2] ?? defaultPort(url.protocol)) === port;
  });
}
