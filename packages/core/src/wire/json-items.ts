import { InvalidRequestError } from "../errors/errors.js";

type Json = Record<string, unknown>;

/** The items of a request's list as objects: `[null]`, `[5]` or `[[…]]` is a 400 naming the item, not a crash. */
export function objectItems(list: readonly unknown[], field: string): Json[] {
  list.forEach((item, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item))
      throw new InvalidRequestError(`${field}.${index} must be an object`, { field: `${field}.${index}` });
  });
  return list as Json[];
}

/** Whether every item of an upstream answer's list is an object (else the answer is the provider's 502). */
export const allObjects = (list: readonly unknown[]): boolean =>
  list.every((item) => typeof item === "object" && item !== null && !Array.isArray(item));
