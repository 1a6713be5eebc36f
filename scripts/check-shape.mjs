// The shape checks of the gateway redesign, runnable by anyone (`node scripts/check-shape.mjs`, run by CI):
// one SSE writer and one error renderer under packages/core/src/gateway, no core source file over ~250 lines,
// no import cycle in core, and no package outside core rendering gateway errors with the pieces of the renderer.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
const sources = (dir) => walk(dir).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"));
const core = sources(join(root, "packages/core/src"));
const gateway = core.filter((file) => file.includes("/gateway/"));
const problems = [];
const holding = (files, pattern) => files.filter((file) => pattern.test(readFileSync(file, "utf8")));

const sseWriters = holding(gateway, /data: \[DONE\]/);
if (sseWriters.length !== 1)
  problems.push(`SSE writers (files writing [DONE]): ${sseWriters.length}, want 1`);
const renderers = holding(gateway, /export function (renderError|errorResponseBody)\b/);
if (renderers.length !== 1) problems.push(`files defining the error renderer: ${renderers.length}, want 1`);
const others = ["server", "express", "koa"].flatMap((name) => sources(join(root, "packages", name, "src")));
for (const file of holding(others, /\berrorResponseBody\b|\berrorStatus\b/))
  problems.push(`${relative(root, file)} renders gateway errors itself (use serveGateway or renderError)`);

const MAX_LINES = 260; // "~250"
for (const file of core) {
  const lines = readFileSync(file, "utf8").split("\n").length;
  if (lines > MAX_LINES) problems.push(`${relative(root, file)}: ${lines} lines (over ~250)`);
}

const imports = new Map(
  core.map((file) => [
    file,
    [...readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)\.js"/g)].map((match) =>
      resolve(dirname(file), `${match[1]}.ts`),
    ),
  ]),
);
const state = new Map();
const visit = (file, path) => {
  if (state.get(file) === "done") return;
  if (state.get(file) === "open") {
    problems.push(
      `import cycle: ${[...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(" → ")}`,
    );
    return;
  }
  state.set(file, "open");
  for (const next of imports.get(file) ?? []) visit(next, [...path, file]);
  state.set(file, "done");
};
for (const file of core) visit(file, []);

if (problems.length > 0) {
  console.error(`shape check failed:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(
  `shape check: 1 SSE writer (${relative(root, sseWriters[0])}), 1 error renderer (${relative(root, renderers[0])}), ${core.length} core files ≤ ${MAX_LINES} lines, no import cycle`,
);
