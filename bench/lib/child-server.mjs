// Starts a server script in its own process and waits for the "READY <url>" line it prints.
import { spawn } from "node:child_process";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, "");

export function startChild(script, args = [], { env = {}, readyPattern = /READY (\S+)/ } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (data) => {
      output += data.toString();
      const match = readyPattern.exec(stripAnsi(output));
      if (match) resolve({ url: match[1], child, stop: () => child.kill("SIGKILL") });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}: ${output.slice(-2000)}`)));
  });
}
