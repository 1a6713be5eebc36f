import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childReady } from "./child-ready.js";
import { freePort } from "./free-port.js";

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((path) =>
  existsSync(path),
);

/** Whether Debian's `redis-server` is installed (`.ci/run` installs it when missing). */
export const hasRedisServer = REDIS_SERVER !== undefined;

/**
 * A throwaway `redis-server` on a free loopback port, in a temp dir, with no persistence: a real Redis for tests
 * of shared gateway state, gone after `stop()`.
 */
export async function startRedis(): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error("redis-server is not installed: apt-get install -y redis-server");
  const dir = await mkdtemp(join(tmpdir(), "keyway-redis-"));
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await childReady(child, "Ready to accept connections", "redis-server", 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
