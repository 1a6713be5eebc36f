// Rewrites the provider table in packages/core/README.md from the registry (after the build):
// node scripts/provider-table.mjs (then `pnpm exec biome check --write packages/core/README.md` aligns it). A test
// fails while the README and the registry disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { providerTable } from "../packages/core/dist/index.js";

const path = new URL("../packages/core/README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const start = "<!-- providers:start -->";
const end = "<!-- providers:end -->";
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
writeFileSync(path, `${before}\n${providerTable()}\n${after}`);
