import { sign } from "node:crypto";
import type { ServiceAccount } from "../../credentials/service-account.js";
import { ProviderError } from "../../errors/errors.js";
import { redactText } from "../../log/redact.js";
import type { UpstreamTransport } from "../../transport/upstream-transport.js";

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

interface Cached {
  token: string;
  refreshAt: number;
}

/**
 * OAuth access tokens for service accounts (Vertex AI): a JWT signed RS256 with the account's key (node:crypto — the
 * one operation google-auth-library would do here, without its dependency tree or its own HTTP client) exchanged
 * at the account's `token_uri`. A token is reused until a tenth of its lifetime before it expires, so even a
 * short-lived one is not fetched per call, and calls needing one at the same moment share one fetch.
 */
export class GoogleTokens {
  readonly #cache = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A live token for `account`; the fetch has its own `timeoutMs` (shared by the calls waiting on it, none may cancel it). */
  async token(
    account: ServiceAccount,
    transport: UpstreamTransport,
    provider: string,
    timeoutMs: number,
  ): Promise<string> {
    const key = `${account.client_email}\u0000${account.token_uri}`;
    const cached = this.#cache.get(key);
    if (cached && cached.refreshAt > this.now()) return cached.token;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#fetch(account, transport, provider, timeoutMs).finally(() =>
        this.#inFlight.delete(key),
      );
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #fetch(
    account: ServiceAccount,
    transport: UpstreamTransport,
    provider: string,
    timeoutMs: number,
  ): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const unsigned = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(
      JSON.stringify({
        iss: account.client_email,
        scope: SCOPE,
        aud: account.token_uri,
        iat,
        exp: iat + 3600,
      }),
    )}`;
    let signature: Buffer;
    try {
      signature = sign("RSA-SHA256", Buffer.from(unsigned), account.private_key);
    } catch {
      throw new ProviderError(
        provider,
        401,
        `Provider "${provider}": the service account's private_key cannot sign`,
        {
          code: "credentials_invalid",
        },
      );
    }
    const body = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: `${unsigned}.${b64url(signature)}`,
    }).toString();
    let status = 0;
    let text = "";
    try {
      const response = await transport(account.token_uri, {
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new ProviderError(provider, 0, `Provider "${provider}": the token endpoint is unreachable`, {
        code: "upstream_unreachable",
        cause: error,
      });
    }
    let answer: {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_description?: unknown;
    } = {};
    try {
      answer = JSON.parse(text);
    } catch {}
    if (status !== 200 || typeof answer.access_token !== "string") {
      const why = redactText(`${String(answer.error ?? status)}: ${String(answer.error_description ?? "")}`);
      throw new ProviderError(
        provider,
        401,
        `Provider "${provider}" refused the service account's token request (${why})`,
        {
          code: "credentials_invalid",
        },
      );
    }
    const lifetimeMs = (typeof answer.expires_in === "number" ? answer.expires_in : 3600) * 1000;
    const key = `${account.client_email}\u0000${account.token_uri}`;
    this.#cache.set(key, { token: answer.access_token, refreshAt: this.now() + lifetimeMs * 0.9 });
    return answer.access_token;
  }
}
