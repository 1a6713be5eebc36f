// The gateway's SSE parser on a hostile stream: one 64 MiB event with no line break, in 64 KiB reads (as a
// socket delivers it), with the event bound raised so the whole event is parsed. Linear: a few hundred ms.
import { parseSse } from "@keyway/core";
import { round } from "./lib/stats.mjs";

export async function sseParse({ mebibytes = 64 } = {}) {
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  const reads = (mebibytes * 1024) / 64;
  async function* body() {
    yield new TextEncoder().encode("data: ");
    for (let i = 0; i < reads; i++) yield chunk;
    yield new TextEncoder().encode("\n\n");
  }
  const started = performance.now();
  let chars = 0;
  for await (const event of parseSse(body(), { maxEventChars: (mebibytes + 1) * 1024 * 1024 }))
    chars += event.data.length;
  const cpuSeconds = round((performance.now() - started) / 1000, 3);
  // The default bound stops the same stream early.
  const boundStarted = performance.now();
  let bounded = "parsed";
  try {
    for await (const _ of parseSse(body()));
  } catch (error) {
    bounded = error.code;
  }
  return {
    mebibytes,
    seconds: cpuSeconds,
    chars,
    defaultBound: bounded,
    defaultBoundSeconds: round((performance.now() - boundStarted) / 1000, 3),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await sseParse(), null, 2));
