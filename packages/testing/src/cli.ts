#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startProviderEmulator } from "./emulator/provider-emulator.js";

/**
 * `keyway-emulator [--port 9000] [--latency-ms 0] [--smoke]`: serves the provider emulator until Ctrl-C;
 * with `--smoke`, makes one OpenAI-format and one Anthropic-format call against it, prints them and exits.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "latency-ms": { type: "string", default: "0" },
    smoke: { type: "boolean", default: false },
  },
});
const emulator = await startProviderEmulator({
  port: Number(values.port),
  latencyMs: Number(values["latency-ms"]),
});

if (values.smoke) {
  const openai = await fetch(`${emulator.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-smoke" },
    body: JSON.stringify({
      model: "llama-3.1-8b-instant",
      messages: [{ role: "user", content: "hello from keyway" }],
    }),
  });
  const completion = (await openai.json()) as { choices: { message: { content: string } }[]; usage: unknown };
  const anthropic = await fetch(`${emulator.baseURL}/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": "sk-ant-smoke",
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      messages: [{ role: "user", content: "hello again" }],
    }),
  });
  const message = (await anthropic.json()) as { content: { text: string }[]; usage: unknown };
  console.log(
    `openai-chat      ${openai.status}  ${completion.choices[0]?.message.content}  ${JSON.stringify(completion.usage)}`,
  );
  console.log(
    `anthropic-msgs   ${anthropic.status}  ${message.content[0]?.text}  ${JSON.stringify(message.usage)}`,
  );
  await emulator.close();
  if (openai.status !== 200 || anthropic.status !== 200) process.exit(1);
} else {
  console.log(`provider emulator listening on ${emulator.url} (OpenAI base ${emulator.baseURL})`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
