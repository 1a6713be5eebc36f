import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { childReady } from "./child-ready.js";
import { freePort } from "./free-port.js";

export interface TestPostgres {
  /** `postgres://keyway:…@127.0.0.1:port/keyway`: the cluster's first database. */
  url: string;
  port: number;
  password: string;
  /** A fresh empty database on the same cluster, and its URL. */
  createDatabase(name: string): Promise<string>;
  /** Kills the server as a crash would (open connections cut, no shutdown checkpoint); `start` brings it back. */
  crash(): Promise<void>;
  /** Starts the server again on the same port and data, after `crash` (crash recovery runs first). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** `pg_dump` of a database of this cluster (plain SQL), as a backup would hold it. */
  dump(database?: string): string;
}

/** The newest Debian PostgreSQL server binaries (`/usr/lib/postgresql/<major>/bin`). */
function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => existsSync(join(root, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], "bin") : undefined;
}

const BIN = binDir();

/** Whether Debian's `postgresql` is installed (`.ci/run` installs it when missing). */
export const hasPostgres = BIN !== undefined;

/** initdb refuses root: as root, the cluster belongs to the `postgres` system user the package creates. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error("running as root, and there is no postgres user to run initdb as");
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A throwaway PostgreSQL cluster: `initdb` into a temp dir (password auth, user `keyway`), the server on a free
 * loopback port with its socket in that dir, durability off unless `durable` (tests need none), gone after `stop()`.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  if (!BIN) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql");
  const dir = await mkdtemp(join(tmpdir(), "keyway-pg-"));
  const data = join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const user = runAs();
  writeFileSync(join(dir, "pwfile"), password);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(join(dir, "pwfile"), user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  execFileSync(
    join(BIN, "initdb"),
    ["-D", data, "-U", "keyway", "--auth=scram-sha-256", `--pwfile=${join(dir, "pwfile")}`, "-E", "UTF8"],
    { stdio: "pipe", ...user },
  );
  const port = await freePort();
  const args = [
    ...["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1"],
    // Benchmarks keep Postgres's default durability (fsync, synchronous commit): figures a user would see.
    ...(options.durable
      ? []
      : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ...["-c", "max_connections=200"],
  ];
  const launch = async () => {
    const started = spawn(join(BIN, "postgres"), args, { stdio: ["ignore", "pipe", "pipe"], ...user });
    await childReady(started, "ready to accept connections", "postgres", 20_000);
    return started;
  };
  let child = await launch();
  const halt = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  };
  const urlOf = (database: string) => `postgres://keyway:${password}@127.0.0.1:${port}/${database}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: urlOf("postgres") });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin("CREATE DATABASE keyway");
  return {
    url: urlOf("keyway"),
    port,
    password,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await admin(`CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    dump(database = "keyway") {
      return execFileSync(
        join(BIN as string, "pg_dump"),
        ["-h", "127.0.0.1", "-p", String(port), "-U", "keyway", database],
        {
          env: { ...process.env, PGPASSWORD: password },
          maxBuffer: 256 * 1024 * 1024,
        },
      ).toString("utf8");
    },
    // SIGQUIT is Postgres's immediate shutdown: every backend dies at once, no checkpoint, as in a crash.
    crash: () => halt("SIGQUIT"),
    async start() {
      if (child.exitCode === null && child.signalCode === null) return;
      child = await launch();
    },
    async stop() {
      await halt("SIGINT"); // fast shutdown: roll back open transactions, disconnect clients
      await rm(dir, { recursive: true, force: true });
    },
  };
}
