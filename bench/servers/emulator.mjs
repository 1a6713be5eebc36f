// The provider emulator as an upstream with a fixed latency: node servers/emulator.mjs <latencyMs>
import { startProviderEmulator } from "@keyway/testing";

const emulator = await startProviderEmulator({ latencyMs: Number(process.argv[2] ?? 0), maxRecords: 1_000 });
console.log(`READY ${emulator.url}`);
