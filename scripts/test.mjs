// Runs every test once with vitest, then prints one plain closing line ("tests: N passed, N failed, N skipped")
// that CI and humans read, and exits with vitest's own exit code.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const report = join(mkdtempSync(join(tmpdir(), "keyway-test-")), "vitest.json");
const run = spawnSync(
  "vitest",
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", shell: process.platform === "win32" },
);
let summary = "tests: no report written";
try {
  const result = JSON.parse(readFileSync(report, "utf8"));
  const skipped = result.numPendingTests + result.numTodoTests;
  summary = `tests: ${result.numPassedTests} passed, ${result.numFailedTests} failed, ${skipped} skipped`;
} catch {}
console.log(summary);
process.exit(run.status ?? 1);
