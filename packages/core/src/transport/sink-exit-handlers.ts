/** What exit handling needs of a sink. */
export interface ExitableSink {
  /** Something accepted is not settled yet. */
  hasPending(): boolean;
  /** Delivers or spools what is pending, bounded in time; keeps the process alive meanwhile. */
  flushForExit(): Promise<void>;
  /** Spools synchronously whatever is still in memory. */
  spoolPendingSync(): void;
  shutdown(): Promise<void>;
}

/**
 * Makes a process keep a sink's logs when it ends: `beforeExit` flushes (bounded), `exit` spools synchronously what
 * is left, and with `signals` SIGINT/SIGTERM shut the sink down and then re-raise the signal — never
 * `process.exit`, so the application's own handlers and exit code stand. Returns a function that removes them.
 */
export function registerSinkExitHandlers(
  sink: ExitableSink,
  options: { signals?: boolean } = {},
): () => void {
  const beforeExit = () => {
    if (sink.hasPending()) void sink.flushForExit();
  };
  const exit = () => sink.spoolPendingSync();
  const onSignal = (signal: NodeJS.Signals) => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    void sink.shutdown().finally(() => {
      // With our listener gone, the signal does what it would have done: other listeners, or the default exit.
      process.kill(process.pid, signal);
    });
  };
  process.on("beforeExit", beforeExit);
  process.on("exit", exit);
  if (options.signals !== false) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  return () => {
    process.off("beforeExit", beforeExit);
    process.off("exit", exit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
