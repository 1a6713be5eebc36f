/** Polls `check` until it returns a truthy value or `timeoutMs` passes; for tests that wait on background work. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  intervalMs = 5,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
