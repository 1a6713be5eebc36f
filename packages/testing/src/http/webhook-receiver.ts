import { listen } from "./listen.js";
import { parseJson, readBody } from "./read-body.js";

export interface WebhookReceiver {
  url: string;
  /** `127.0.0.1:port`, for an allow-list entry. */
  host: string;
  /** Every POST, oldest first: its path and JSON body. */
  readonly bodies: { path: string; body: Record<string, unknown> }[];
  /** The bodies posted to one path. */
  received(path: string): Record<string, unknown>[];
  close(): Promise<void>;
}

/** A throwaway webhook receiver on loopback (alerts' Slack or JSON posts): every body kept, answered 200. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const bodies: WebhookReceiver["bodies"] = [];
  const server = await listen(async (req, res) => {
    bodies.push({ path: req.url ?? "", body: parseJson(await readBody(req)) as Record<string, unknown> });
    res.writeHead(200).end("ok");
  });
  return {
    url: server.url,
    host: `127.0.0.1:${server.port}`,
    bodies,
    received: (path) => bodies.filter((entry) => entry.path === path).map((entry) => entry.body),
    close: () => server.close(),
  };
}
