/**
 * How tests and scripts launch Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it) with
 * Playwright: headless, and with the flags that keep it off a closed network. Pass to `chromium.launch()`.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.KEYWAY_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
