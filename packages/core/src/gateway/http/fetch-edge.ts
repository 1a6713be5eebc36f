import { InvalidRequestError } from "../../errors/errors.js";
import type { Gateway } from "../gateway-types.js";
import { parseJsonBody } from "../request/read-json-body.js";
import { answerGatewayRequest } from "./answer-request.js";
import { renderError } from "./error-renderer.js";
import { faceOf, type GatewayMatch, matchGatewayRoute } from "./gateway-routes.js";
import { sseHeaders } from "./sse-writer.js";

const jsonHeaders = { "content-type": "application/json" };

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
 * The gateway's Fetch-API face (`(input, init) => Promise<Response>`, usable unbound, e.g. as the `fetch` of the
 * `openai` SDK): every gateway route under any prefix. A thin adapter over `answerGatewayRequest`.
 */
export function createFetchHandler(
  gateway: Gateway,
  options: { maxBodyBytes: number },
): typeof globalThis.fetch {
  const encoder = new TextEncoder();
  const fail = (error: unknown, match?: GatewayMatch) => {
    const { status, body, headers } = renderError(error, faceOf(match?.route));
    return new Response(body, { status, headers });
  };
  return async function keywayFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let request: Request;
    try {
      request = input instanceof Request && init === undefined ? input : new Request(input, init);
    } catch (error) {
      return fail(new InvalidRequestError(`Bad request: ${(error as Error).message}`));
    }
    let match: GatewayMatch | undefined;
    try {
      const url = new URL(request.url);
      const path = url.pathname;
      match = matchGatewayRoute(request.method, path);
      if (!match)
        throw new InvalidRequestError(`No route ${request.method} ${path}`, {
          code: "not_found",
          statusCode: 404,
        });
      const answer = await answerGatewayRequest(gateway, {
        match,
        query: url.searchParams,
        body: async () => parseJsonBody(await readLimited(request, options.maxBodyBytes)),
        header: (name) => request.headers.get(name),
        signal: request.signal,
      });
      if (answer.kind === "json")
        return new Response(answer.body, {
          status: answer.status,
          headers: { ...jsonHeaders, ...answer.headers },
        });
      const frames = answer.frames;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const next = await frames.next();
            if (next.done) controller.close();
            else controller.enqueue(encoder.encode(next.value));
          },
          async cancel() {
            await frames.return(undefined);
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { headers: { ...sseHeaders, ...answer.headers } });
    } catch (error) {
      return fail(error, match);
    }
  };
}
