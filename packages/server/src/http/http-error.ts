import { hasErrorMark, KeywayError, markError } from "@keyway/core";

/** An error answered as `{ detail, code, field? }` with its status. */
export class HttpError extends KeywayError {
  static override isInstance(error: unknown): error is HttpError {
    return hasErrorMark(error, "HttpError");
  }

  readonly field: string | undefined;
  constructor(statusCode: number, code: string, message: string, field?: string) {
    super(code, message, { statusCode });
    this.name = "HttpError";
    markError(this, "HttpError");
    this.field = field;
  }
}
