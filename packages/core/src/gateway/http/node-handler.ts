import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/**
 * Serves a Fetch-API handler from `node:http`: the request becomes a `Request` (its signal aborts when the client
 * goes away), the `Response` body is written chunk by chunk, waiting for `drain` so slow clients get backpressure.
 */
export function toNodeHandler(
  handler: (request: Request) => Promise<Response>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const url = `http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url, {
      method: req.method ?? "GET",
      headers,
      signal: controller.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
    } as RequestInit);
    void (async () => {
      try {
        const response = await handler(request);
        const outHeaders: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          outHeaders[name] = value;
        });
        res.writeHead(response.status, outHeaders);
        if (!response.body) return void res.end();
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          if (res.destroyed) break;
          if (!res.write(chunk))
            await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
        }
        res.end();
      } catch {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end();
      }
    })();
  };
}
