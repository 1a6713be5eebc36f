import { HttpError } from "../../http/http-error.js";

type Json = Record<string, unknown>;

const invalid = (field: string, message: string) =>
  new HttpError(400, "invalid_request", `${field} ${message}`, field);

/**
 * A management API's JSON body, read field by field: every field of a wrong type, length or value is a 400
 * naming it, and a field the route does not know is refused rather than ignored.
 */
export class AdminInput {
  readonly #body: Json;
  readonly #prefix: string;

  constructor(body: unknown, known: readonly string[], prefix = "") {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new HttpError(
        400,
        "invalid_request",
        `${prefix || "The body"} must be a JSON object.`,
        prefix || undefined,
      );
    this.#body = body as Json;
    this.#prefix = prefix;
    const unknown = Object.keys(body).filter((key) => !known.includes(key));
    if (unknown.length > 0)
      throw invalid(this.#name(unknown[0] as string), `is not a field here (known: ${known.join(", ")}).`);
  }

  #name(field: string): string {
    return this.#prefix ? `${this.#prefix}.${field}` : field;
  }

  has(field: string): boolean {
    return this.#body[field] !== undefined;
  }

  string(field: string, rules: { required: true; max?: number; pattern?: RegExp; hint?: string }): string;
  string(field: string, rules?: { max?: number; pattern?: RegExp; hint?: string }): string | undefined;
  string(
    field: string,
    rules: { required?: boolean; max?: number; pattern?: RegExp; hint?: string } = {},
  ): string | undefined {
    const value = this.#body[field];
    const name = this.#name(field);
    if (value === undefined || value === null) {
      if (rules.required) throw invalid(name, "is required.");
      return undefined;
    }
    if (typeof value !== "string") throw invalid(name, `must be a string, not ${typeOf(value)}.`);
    if (value.trim() === "") throw invalid(name, "must not be empty.");
    const max = rules.max ?? 200;
    if (value.length > max) throw invalid(name, `is ${value.length} characters; at most ${max}.`);
    if (rules.pattern && !rules.pattern.test(value))
      throw invalid(name, `is not valid${rules.hint ? `: ${rules.hint}` : "."}`);
    return value;
  }

  number(field: string, rules: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const value = this.#body[field];
    const name = this.#name(field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value))
      throw invalid(name, `must be a number, not ${typeOf(value)}.`);
    if (rules.integer && !Number.isInteger(value)) throw invalid(name, "must be an integer.");
    if (rules.min !== undefined && value < rules.min) throw invalid(name, `must be at least ${rules.min}.`);
    if (rules.max !== undefined && value > rules.max) throw invalid(name, `must be at most ${rules.max}.`);
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean")
      throw invalid(this.#name(field), `must be true or false, not ${typeOf(value)}.`);
    return value;
  }

  /** A list of short strings, each at most `max` characters; `allowed` limits them to a set. */
  strings(
    field: string,
    rules: { maxItems?: number; max?: number; allowed?: readonly string[]; nonEmpty?: boolean } = {},
  ): string[] | undefined {
    const value = this.#body[field];
    const name = this.#name(field);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw invalid(name, `must be a list of strings, not ${typeOf(value)}.`);
    const maxItems = rules.maxItems ?? 100;
    if (value.length > maxItems) throw invalid(name, `has ${value.length} entries; at most ${maxItems}.`);
    if (rules.nonEmpty && value.length === 0) throw invalid(name, "must not be empty.");
    value.forEach((entry, index) => {
      if (typeof entry !== "string" || entry.trim() === "")
        throw invalid(`${name}[${index}]`, "must be a non-empty string.");
      if (entry.length > (rules.max ?? 200))
        throw invalid(`${name}[${index}]`, `is longer than ${rules.max ?? 200} characters.`);
      if (rules.allowed && !rules.allowed.includes(entry))
        throw invalid(`${name}[${index}]`, `must be one of ${rules.allowed.join(", ")}.`);
    });
    return [...new Set(value as string[])];
  }

  /** A nested object read with its own known fields. */
  object(field: string, known: readonly string[]): AdminInput | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    return new AdminInput(value, known, this.#name(field));
  }

  /** A nested object of string values (each at most `max` characters), for headers and the like. */
  raw(field: string): unknown {
    return this.#body[field];
  }
}

const typeOf = (value: unknown) => (Array.isArray(value) ? "a list" : value === null ? "null" : typeof value);
