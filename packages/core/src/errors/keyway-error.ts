const marker = Symbol.for("keyway.error");

export interface KeywayErrorOptions {
  statusCode?: number;
  isRetryable?: boolean;
  cause?: unknown;
}

/**
 * Base of every error Keyway raises: a stable string `code`, the HTTP `statusCode` it maps to, whether a
 * retry could succeed, and the `cause`. `KeywayError.isInstance` works across two installed copies.
 */
export class KeywayError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly statusCode: number;
  readonly isRetryable: boolean;

  constructor(code: string, message: string, options: KeywayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeywayError";
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.isRetryable = options.isRetryable ?? false;
  }

  static isInstance(error: unknown): error is KeywayError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** The OpenAI-shaped error body the gateway answers with. */
  toJSON(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.name, code: this.code, param: null } };
  }
}
