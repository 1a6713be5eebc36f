import { createServer, type RequestListener, type Server } from "node:http";
import type { Socket } from "node:net";

export interface ListeningServer {
  server: Server;
  port: number;
  url: string;
  /** Connections open right now (keep-alive ones included): what a client that closed properly leaves at zero. */
  openConnections(): number;
  /** Stops listening and destroys open connections; resolves when closed. */
  close(): Promise<void>;
}

/** Starts an HTTP server on loopback (port 0 picks a free port) that can be closed at once, keep-alive or not. */
export async function listen(handler: RequestListener, port = 0): Promise<ListeningServer> {
  const server = createServer({ keepAliveTimeout: 5_000 }, handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return {
    server,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
