import type { IncomingMessage } from "node:http";
import { InvalidRequestError } from "../errors/errors.js";

/**
 * Reads and parses a JSON request body from `node:http`: 413 past `limit` bytes (before reading when the length is
 * declared), 400 when malformed or already consumed by another middleware. Shared by the doors and `keyway serve`.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
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
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new InvalidRequestError("The request body is not valid JSON.", { code: "invalid_json" }));
      }
    });
  });
}
