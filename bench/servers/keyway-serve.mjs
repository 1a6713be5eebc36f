// keyway serve in its own process: SQLite in a temp dir (node servers/keyway-serve.mjs), or the Postgres database
// a URL names (node servers/keyway-serve.mjs postgres://…).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKeywayServer } from "@keyway/server";

const server = await startKeywayServer({
  port: 0,
  dbPath: process.argv[2] ?? join(mkdtempSync(join(tmpdir(), "keyway-bench-")), "keyway.db"),
  apiKeys: ["kw_bench"],
});
process.on("message", (message) => {
  if (message === "memory")
    process.send?.({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
});
console.log(`READY ${server.url}`);
process.on("SIGINT", () => process.exit(0));
