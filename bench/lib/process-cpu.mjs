import { readFileSync } from "node:fs";

/** CPU time (user + system) a process has used, in µs, from /proc (clock ticks of 10 ms); undefined off Linux. */
export function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}
