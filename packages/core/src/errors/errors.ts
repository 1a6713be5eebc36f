import { hasErrorMark, KeywayError, markError } from "./keyway-error.js";

/** A request or log body that does not fit the schema; `field` is the path of the first bad field. */
export class InvalidRequestError extends KeywayError {
  static override isInstance(error: unknown): error is InvalidRequestError {
    return hasErrorMark(error, "InvalidRequestError");
  }

  readonly field: string | undefined;
  constructor(
    message: string,
    options: { field?: string; cause?: unknown; code?: string; statusCode?: number } = {},
  ) {
    super(options.code ?? "invalid_request", message, {
      statusCode: options.statusCode ?? 400,
      cause: options.cause,
    });
    this.name = "InvalidRequestError";
    markError(this, "InvalidRequestError");
    this.field = options.field;
  }

  override toJSON() {
    return { error: { ...super.toJSON().error, param: this.field ?? null } };
  }
}

/** A model id no provider claims. */
export class UnknownModelError extends KeywayError {
  static override isInstance(error: unknown): error is UnknownModelError {
    return hasErrorMark(error, "UnknownModelError");
  }

  readonly model: string;
  constructor(model: string, knownProviders: readonly string[]) {
    super(
      "unknown_model",
      `Unknown model "${model}". Prefix it with a provider (e.g. "groq/${model}"; known providers: ${knownProviders.join(", ")}), ` +
        `or register a custom provider with this model: providers: { "my-provider": { baseURL: "…", models: ["${model}"] } }.`,
      { statusCode: 400 },
    );
    this.name = "UnknownModelError";
    markError(this, "UnknownModelError");
    this.model = model;
  }
}

/** No API key for a provider in any of the places Keyway looks. */
export class CredentialsMissingError extends KeywayError {
  static override isInstance(error: unknown): error is CredentialsMissingError {
    return hasErrorMark(error, "CredentialsMissingError");
  }

  readonly provider: string;
  constructor(provider: string, lookedIn: readonly string[]) {
    super(
      "credentials_missing",
      `No API key for provider "${provider}". Looked in: ${lookedIn.join("; ")}.`,
      { statusCode: 401 },
    );
    this.name = "CredentialsMissingError";
    markError(this, "CredentialsMissingError");
    this.provider = provider;
  }
}

/** The upstream provider answered with an error (or garbage); `upstreamStatus` is what it said. */
export class ProviderError extends KeywayError {
  static override isInstance(error: unknown): error is ProviderError {
    return hasErrorMark(error, "ProviderError");
  }

  readonly provider: string;
  readonly upstreamStatus: number;
  readonly retryAfterMs: number | undefined;
  constructor(
    provider: string,
    upstreamStatus: number,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown; code?: string } = {},
  ) {
    const retryable =
      upstreamStatus === 429 || upstreamStatus === 408 || upstreamStatus >= 500 || upstreamStatus === 0;
    super(options.code ?? "provider_error", message, {
      statusCode: upstreamStatus >= 400 && upstreamStatus < 600 ? upstreamStatus : 502,
      isRetryable: retryable,
      cause: options.cause,
    });
    this.name = "ProviderError";
    markError(this, "ProviderError");
    this.provider = provider;
    this.upstreamStatus = upstreamStatus;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The upstream did not answer in time (`headers`), or fell silent mid-body for too long (`idle`). */
export class UpstreamTimeoutError extends KeywayError {
  static override isInstance(error: unknown): error is UpstreamTimeoutError {
    return hasErrorMark(error, "UpstreamTimeoutError");
  }

  constructor(provider: string, timeoutMs: number, phase: "headers" | "idle" = "headers") {
    const what =
      phase === "idle"
        ? `sent nothing for ${timeoutMs} ms in the middle of its response`
        : `did not answer within ${timeoutMs} ms`;
    super("upstream_timeout", `Provider "${provider}" ${what}.`, {
      statusCode: 504,
      isRetryable: true,
    });
    this.name = "UpstreamTimeoutError";
    markError(this, "UpstreamTimeoutError");
  }
}

/** The caller aborted the request. */
export class RequestAbortedError extends KeywayError {
  static override isInstance(error: unknown): error is RequestAbortedError {
    return hasErrorMark(error, "RequestAbortedError");
  }

  constructor(cause?: unknown) {
    super("request_aborted", "The request was aborted by the caller.", { statusCode: 499, cause });
    this.name = "RequestAbortedError";
    markError(this, "RequestAbortedError");
  }
}

/** A per-request base URL whose host is not on the configured allow-list. */
export class ForbiddenBaseURLError extends KeywayError {
  static override isInstance(error: unknown): error is ForbiddenBaseURLError {
    return hasErrorMark(error, "ForbiddenBaseURLError");
  }

  constructor(target: string, what: "host" | "scheme" = "host") {
    super(
      "base_url_not_allowed",
      what === "scheme"
        ? `api_base scheme "${target}" is not allowed: only http and https.`
        : `api_base "${target}" is not allowed. Add "host:port" to the gateway's allowedBaseURLHosts to let requests aim there (an entry without a port allows only the scheme's default port).`,
      { statusCode: 400 },
    );
    this.name = "ForbiddenBaseURLError";
    markError(this, "ForbiddenBaseURLError");
  }
}

/** Configuration that cannot work, found when it is read. */
export class ConfigError extends KeywayError {
  static override isInstance(error: unknown): error is ConfigError {
    return hasErrorMark(error, "ConfigError");
  }

  constructor(message: string) {
    super("invalid_config", message, { statusCode: 500 });
    this.name = "ConfigError";
    markError(this, "ConfigError");
  }
}

/** A call made after `gateway.close()`. */
export class GatewayClosedError extends KeywayError {
  static override isInstance(error: unknown): error is GatewayClosedError {
    return hasErrorMark(error, "GatewayClosedError");
  }

  constructor() {
    super("gateway_closed", "The gateway is closed: create a new one to make more calls.", {
      statusCode: 503,
    });
    this.name = "GatewayClosedError";
    markError(this, "GatewayClosedError");
  }
}

/** The shared gateway state (Redis) did not answer: a control that needs it cannot be honoured, so the call stops. */
export class GatewayStateError extends KeywayError {
  static override isInstance(error: unknown): error is GatewayStateError {
    return hasErrorMark(error, "GatewayStateError");
  }

  constructor(cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super("gateway_state_unavailable", `The gateway's shared state did not answer (${why}).`, {
      statusCode: 503,
      cause,
    });
    this.name = "GatewayStateError";
    markError(this, "GatewayStateError");
  }
}
