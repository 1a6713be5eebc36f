import { InvalidRequestError } from "../errors/errors.js";
import { KeywayError } from "../errors/keyway-error.js";
import { sseData } from "../wire/sse.js";
import type { Gateway } from "./create-gateway.js";
import { logSourceOf } from "./keyway-params.js";
import { parseJsonBody } from "./read-json-body.js";

const jsonHeaders = { "content-type": "application/json" };

/** The OpenAI-shaped error body for any error; unknown errors say nothing of their internals. */
export function errorResponseBody(error: unknown): {
  error: { message: string; type: string; code: string; param: string | null };
} {
  if (KeywayError.isInstance(error)) return error.toJSON();
  return {
    error: {
      message: "Internal error in the Keyway gateway.",
      type: "KeywayError",
      code: "internal_error",
      param: null,
    },
  };
}

export function errorStatus(error: unknown): number {
  if (!KeywayError.isInstance(error)) return 500;
  // 499 (client closed) is not a status a response can carry.
  return error.statusCode === 499 ? 400 : error.statusCode;
}

/** `GET /models`: the model ids custom providers declared, in OpenAI's list shape. */
export function modelList(gateway: Pick<Gateway, "providers">): {
  object: "list";
  data: { id: string; object: "model"; created: number; owned_by: string }[];
} {
  const data = gateway.providers.all().flatMap((provider) =>
    (provider.models ?? []).map((id) => ({
      id,
      object: "model" as const,
      created: 0,
      owned_by: provider.id,
    })),
  );
  return { object: "list", data };
}

function errorResponse(error: unknown): Response {
  return new Response(JSON.stringify(errorResponseBody(error)), {
    status: errorStatus(error),
    headers: jsonHeaders,
  });
}

async function readLimited(request: Request, limit: number): Promise<string> {
  const tooLarge = () =>
    new InvalidRequestError(`Request body is larger than ${limit} bytes.`, {
      code: "body_too_large",
      statusCode: 413,
    });
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The gateway as a Fetch-API handler (`(input, init) => Promise<Response>`, usable unbound, e.g. as the
 * `fetch` of the `openai` SDK): `POST …/chat/completions` and `GET …/models` under any prefix.
 */
export function createFetchHandler(
  gateway: Gateway,
  options: { maxBodyBytes: number },
): typeof globalThis.fetch {
  const encoder = new TextEncoder();
  return async function keywayFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let request: Request;
    try {
      request = input instanceof Request && init === undefined ? input : new Request(input, init);
    } catch (error) {
      return errorResponse(new InvalidRequestError(`Bad request: ${(error as Error).message}`));
    }
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    try {
      if (request.method === "GET" && path.endsWith("/models")) {
        const data = gateway.providers.all().flatMap((provider) =>
          (provider.models ?? []).map((model) => ({
            id: model,
            object: "model",
            created: 0,
            owned_by: provider.id,
          })),
        );
        return new Response(JSON.stringify({ object: "list", data }), { headers: jsonHeaders });
      }
      if (!path.endsWith("/chat/completions")) {
        return errorResponse(
          new InvalidRequestError(`No route ${request.method} ${path}`, {
            code: "not_found",
            statusCode: 404,
          }),
        );
      }
      if (request.method !== "POST") {
        return errorResponse(
          new InvalidRequestError(`Use POST for ${path}`, { code: "method_not_allowed", statusCode: 405 }),
        );
      }
      const text = await readLimited(request, options.maxBodyBytes);
      const body = parseJsonBody(text);
      const result = await gateway.chat(body as Parameters<Gateway["chat"]>[0], {
        signal: request.signal,
        provider: request.headers.get("x-respan-route-provider") ?? undefined,
        paramsHeader: request.headers.get("x-data-respan-params"),
        ...logSourceOf(request.headers.get("x-keyway-log-source")),
      });
      if (!(Symbol.asyncIterator in result))
        return new Response(JSON.stringify(result), { headers: jsonHeaders });
      const iterator = result[Symbol.asyncIterator]();
      const stream = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            try {
              const next = await iterator.next();
              if (next.done) {
                controller.enqueue(encoder.encode("data: [DONE]\n\n"));
                controller.close();
              } else {
                controller.enqueue(encoder.encode(sseData(JSON.stringify(next.value))));
              }
            } catch (error) {
              // Headers are gone: the error travels as a last event, as OpenAI-compatible servers do.
              controller.enqueue(encoder.encode(sseData(JSON.stringify(errorResponseBody(error)))));
              controller.close();
            }
          },
          async cancel() {
            await iterator.return?.(undefined);
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(stream, {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
