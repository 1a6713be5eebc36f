import type pg from "pg";

/**
 * Runs `work` in one transaction on a pooled connection: committed when it resolves, rolled back when it throws.
 * While checked out, a connection the database drops emits `error` on the client, where the pool no longer
 * listens: heard here (the statement in flight fails with it anyway), and the broken connection is discarded.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (!broken) await client.query("ROLLBACK").catch(() => {});
    throw broken ?? error;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}
