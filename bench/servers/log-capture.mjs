// A logging endpoint that accepts and counts what it receives (the gateway benchmark's log destination).
import { startLogCapture } from "@keyway/testing";

const capture = await startLogCapture();
setInterval(() => capture.reset(), 5_000).unref();
console.log(`READY ${capture.url}`);
