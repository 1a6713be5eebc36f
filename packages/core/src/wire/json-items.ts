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

/**
 * Values of a provider-only setting that ask for nothing — absent, `null`, an empty list or object, `""`,
 * `false`, or the provider's own default — so a client that always sends the field (the OpenAI Agents SDK's
 * `include: []`) is not refused toward a provider that cannot act on it.
 */
const defaults: Record<string, unknown> = {
  truncation: "disabled",
  store: true,
  service_tier: "auto",
  thinking: { type: "disabled" },
};
export function asksForSomething(field: string, value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && Object.keys(value).length === 0) return false;
  return JSON.stringify(value) !== JSON.stringify(defaults[field]);
}
