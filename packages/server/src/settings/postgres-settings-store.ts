import pg from "pg";
import { inTransaction } from "../store/postgres-transaction.js";
import { openPostgresSide } from "../store/side-connections.js";
import type {
  AuditEntry,
  SettingsChange,
  SettingsDoc,
  SettingsKind,
  SettingsStore,
} from "./settings-store.js";

const CHANNEL = "keyway_settings";

const schema = `
  CREATE TABLE IF NOT EXISTS kw_settings (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc JSONB NOT NULL, PRIMARY KEY (kind, id));
  CREATE TABLE IF NOT EXISTS kw_settings_version (one INTEGER PRIMARY KEY CHECK (one = 1), version BIGINT NOT NULL);
  INSERT INTO kw_settings_version VALUES (1, 0) ON CONFLICT DO NOTHING;
  CREATE TABLE IF NOT EXISTS kw_audit_log (
    seq BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL);`;

/**
 * Settings in the Postgres every instance shares. A change is announced with `NOTIFY` in its transaction, so
 * the other instances reload within milliseconds of the commit; their poll of the version covers a missed one.
 */
export class PostgresSettingsStore implements SettingsStore {
  readonly #pool: pg.Pool;
  readonly #listeners: (() => void)[] = [];
  #listener: pg.Client | undefined;
  #closed = false;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  static async open(url: string, onError: (error: unknown) => void): Promise<PostgresSettingsStore> {
    const pool = await openPostgresSide(url, { max: 3, lock: "keyway_settings_schema", schema, onError });
    const store = new PostgresSettingsStore(pool);
    await store.#listen(url, onError);
    return store;
  }

  async #listen(url: string, onError: (error: unknown) => void): Promise<void> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on("notification", () => {
      for (const listener of this.#listeners) listener();
    });
    client.on("error", (error) => {
      // Lost: the poll keeps the settings fresh; listening again is tried after a pause.
      onError(error);
      this.#listener = undefined;
      client.end().catch(() => {});
      if (!this.#closed)
        setTimeout(() => {
          if (!this.#closed) this.#listen(url, onError).catch(onError);
        }, 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#listener = client;
  }

  async load(): Promise<{ version: number; docs: SettingsDoc[] }> {
    return inTransaction(this.#pool, async (client) => {
      await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      const version = await client.query<{ version: string }>("SELECT version FROM kw_settings_version");
      const rows = await client.query<{ kind: SettingsKind; id: string; doc: Record<string, unknown> }>(
        "SELECT kind, id, doc FROM kw_settings ORDER BY kind, id",
      );
      return { version: Number(version.rows[0]?.version ?? 0), docs: rows.rows };
    });
  }

  async version(): Promise<number> {
    const result = await this.#pool.query<{ version: string }>("SELECT version FROM kw_settings_version");
    return Number(result.rows[0]?.version ?? 0);
  }

  apply(change: SettingsChange, at = Date.now()): Promise<number> {
    return inTransaction(this.#pool, async (client) => {
      for (const entry of change.puts ?? [])
        await client.query(
          "INSERT INTO kw_settings (kind, id, doc) VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc",
          [entry.kind, entry.id, JSON.stringify(entry.doc)],
        );
      for (const entry of change.deletes ?? [])
        await client.query("DELETE FROM kw_settings WHERE kind = $1 AND id = $2", [entry.kind, entry.id]);
      return this.#finish(client, change.audit, at);
    });
  }

  rewrite<K extends SettingsKind>(
    kinds: readonly K[],
    transform: (doc: Record<string, unknown>, id: string, kind: K) => Record<string, unknown>,
    audit: (count: number) => Omit<AuditEntry, "at">,
  ): Promise<number> {
    return inTransaction(this.#pool, async (client) => {
      const rows = await client.query<{ kind: K; id: string; doc: Record<string, unknown> }>(
        "SELECT kind, id, doc FROM kw_settings WHERE kind = ANY($1) FOR UPDATE",
        [kinds],
      );
      for (const row of rows.rows)
        await client.query("UPDATE kw_settings SET doc = $1 WHERE kind = $2 AND id = $3", [
          JSON.stringify(transform(row.doc, row.id, row.kind)),
          row.kind,
          row.id,
        ]);
      return this.#finish(client, audit(rows.rows.length), Date.now());
    });
  }

  /** The audit entry, the version bump and the announcement that end every change. */
  async #finish(client: pg.PoolClient, entry: Omit<AuditEntry, "at">, at: number): Promise<number> {
    await client.query("INSERT INTO kw_audit_log (at, actor, action, target) VALUES ($1, $2, $3, $4)", [
      at,
      entry.actor,
      entry.action,
      entry.target,
    ]);
    const version = await client.query<{ version: string }>(
      "UPDATE kw_settings_version SET version = version + 1 RETURNING version",
    );
    await client.query(`NOTIFY ${CHANNEL}`);
    return Number(version.rows[0]?.version);
  }

  async auditLog(options: { limit: number; before?: number }): Promise<(AuditEntry & { seq: number })[]> {
    const result = await this.#pool.query<{
      seq: string;
      at: string;
      actor: string;
      action: string;
      target: string;
    }>("SELECT seq, at, actor, action, target FROM kw_audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2", [
      options.before ?? Number.MAX_SAFE_INTEGER,
      options.limit,
    ]);
    return result.rows.map((row) => ({ ...row, seq: Number(row.seq), at: Number(row.at) }));
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener?.end().catch(() => {});
    await this.#pool.end();
  }
}
