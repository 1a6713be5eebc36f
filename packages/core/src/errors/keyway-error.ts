const marker = Symbol.for("keyway.error");

/** Marks an error as one of Keyway's `name` errors, under a registry symbol every installed copy shares. */
export function markError(error: object, name: string): void {
  Object.defineProperty(error, Symbol.for(`keyway.error.${name}`), { value: true });
}

/** Whether an error carries `markError`'s mark for `name`: what `SubError.isInstance` checks instead of `instanceof`. */
export function hasErrorMark(error: unknown, name: string): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as Record<symbol, unknown>)[Symbol.for(`keyway.error.${name}`)] === true
  );
}

export interface KeywayErrorOptions {
  statusCode?: number;
  isRetryable?: boolean;
  cause?: unknown;
  /** Headers the HTTP answer carries (e.g. `retry-after`); Koa's error handling sets them too. */
  headers?: Record<string, string>;
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
  /** The HTTP status again, under the name Express's and Koa's error handling read (and may rewrite). */
  status: number;
  /** Koa shows the message of errors marked `expose`: the client's own mistakes, never server faults. */
  expose: boolean;
  /** Headers the HTTP answer carries, under the name Koa's error handling reads. */
  readonly headers: Record<string, string> | undefined;

  constructor(code: string, message: string, options: KeywayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeywayError";
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.isRetryable = options.isRetryable ?? false;
    this.status = this.statusCode;
    this.expose = this.statusCode < 500;
    this.headers = options.headers;
  }

  static isInstance(error: unknown): error is KeywayError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** The OpenAI-shaped error body the gateway answers with. */
  toJSON(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.name, code: this.code, param: null } };
  }
}
