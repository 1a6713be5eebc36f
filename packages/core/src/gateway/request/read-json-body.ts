import type { IncomingMessage } from "node:http";
import { InvalidRequestError } from "../../errors/errors.js";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "./json-depth.js";

/** Parses a request body: 400 `invalid_json` when malformed, 400 `json_too_deep` past `MAX_JSON_DEPTH` levels. */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidRequestError("The request body is not valid JSON.", { code: "invalid_json" });
  }
  if (typeof value === "object" && value !== null && exceedsJsonDepth(text))
    throw new InvalidRequestError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, {
      code: "json_too_deep",
    });
  return value;
}

/**
 * Reads a request body from `node:http`: 413 past `limit` bytes (before reading when the length is declared), 400
 * when already consumed by another middleware. Shared by the doors and `keyway serve`.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new InvalidRequestError(`Request body is larger than ${limit} bytes.`, {
      code: "body_too_large",
      statusCode: 413,
    });
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  if (req.readableEnded) {
    return Promise.reject(
      new InvalidRequestError("The request body was already consumed by another middleware.", {
        code: "body_consumed",
      }),
    );
  }
  // Plain events rather than an async iterator: this is on every request's path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** Reads and parses a JSON request body (see `readBody` and `parseJsonBody`). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJsonBody((await readBody(req, limit)).toString("utf8"));
}
