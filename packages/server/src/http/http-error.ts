import { KeywayError } from "@keyway/core";

/** An error answered as `{ detail, code, field? }` with its status. */
export class HttpError extends KeywayError {
  readonly field: string | undefined;
  constructor(statusCode: number, code: string, message: string, field?: string) {
    super(code, message, { statusCode });
    this.name = "HttpError";
    this.field = field;
  }
}
