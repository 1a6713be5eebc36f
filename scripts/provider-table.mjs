// Rewrites the provider and parameter tables in packages/core/README.md from the registry (after the build):
// node scripts/provider-table.mjs (then `pnpm exec biome check --write packages/core/README.md` aligns it). A test
// fails while the README and the registry disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { paramTable, providerTable } from "../packages/core/dist/index.js";

const path = new URL("../packages/core/README.md", import.meta.url);
let readme = readFileSync(path, "utf8");
for (const [name, table] of [
  ["providers", providerTable()],
  ["params", paramTable()],
]) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!readme.includes(start)) throw new Error(`README has no ${start}`);
  readme = `${readme.slice(0, readme.indexOf(start) + start.length)}\n${table}\n${readme.slice(readme.indexOf(end))}`;
}
writeFileSync(path, readme);
