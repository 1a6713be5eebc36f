// The floor: the least a JSON-aware proxy can do — node:http, keep-alive agent, parse + re-serialise the body,
// pipe the answer back. node servers/floor-proxy.mjs <upstreamChatURL>
import http from "node:http";

const upstream = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString()));
    const out = http.request(
      {
        agent,
        method: "POST",
        hostname: upstream.hostname,
        port: upstream.port,
        path: upstream.pathname,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: req.headers.authorization ?? "",
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.writeHead(502).end());
    out.end(body);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => console.log(`READY http://127.0.0.1:${server.address().port}/`));
