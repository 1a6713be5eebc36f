import { InvalidRequestError } from "../../errors/errors.js";

/**
 * The one grammar of a model id, checked before routing on every face (path or body `model`, fallbacks): ids
 * like `gpt-4o`, `models/gemini-2.0-flash`, `groq/llama-3.1-8b-instant`, `ft:gpt-4o-mini:org:x:id`,
 * `anthropic.claude-3-haiku-20240307-v1:0`, `@cf/meta/llama-3-8b`. A model id names a model, never a place: no
 * `?`, `#`, `%`, `\`, whitespace or control characters, and no `.`, `..` or empty path segment, so no id can
 * leave the path a provider's URL puts it in.
 */
const allowed = /^[A-Za-z0-9@_][A-Za-z0-9._:@+=\-/]*$/;
const maxLength = 256;

/** Why `model` is not a model id, or undefined when it is one. */
export function modelIdProblem(model: string): string | undefined {
  if (model.length === 0) return "is empty";
  if (model.length > maxLength) return `is longer than ${maxLength} characters`;
  if (!allowed.test(model))
    return "has a character a model id cannot hold (letters, digits and . _ : @ + = - / only)";
  if (model.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    return "has an empty, '.' or '..' path segment";
  return undefined;
}

/** Throws a 400 naming `field` when `model` is not a model id. */
export function checkModelId(model: string, field = "model"): void {
  const problem = modelIdProblem(model);
  if (problem)
    throw new InvalidRequestError(`The model id ${JSON.stringify(model.slice(0, 80))} ${problem}.`, {
      field,
      code: "invalid_model",
    });
}

/** A path for a provider's URL with each segment percent-encoded, so a model id stays the segments it names. */
export const encodePathSegments = (path: string): string => path.split("/").map(encodeURIComponent).join("/");
