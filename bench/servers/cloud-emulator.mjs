// The provider emulator with the three clouds set up (an Azure resource, Bedrock keys, a Vertex service account):
// node servers/cloud-emulator.mjs <latencyMs>; prints READY <base64 of {url, providers}>.
import { cloudProviders, startProviderEmulator } from "@keyway/testing";

const emulator = await startProviderEmulator({ latencyMs: Number(process.argv[2] ?? 0), maxRecords: 1_000 });
const { providers } = cloudProviders(emulator);
console.log(`READY ${Buffer.from(JSON.stringify({ url: emulator.url, providers })).toString("base64")}`);
