import type { DatabaseSync } from "node:sqlite";
import { openSqliteSide } from "../store/side-connections.js";
import type {
  AuditEntry,
  SettingsChange,
  SettingsDoc,
  SettingsKind,
  SettingsStore,
} from "./settings-store.js";

const schema = `
  CREATE TABLE IF NOT EXISTS kw_settings (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, id));
  CREATE TABLE IF NOT EXISTS kw_settings_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL);
  INSERT OR IGNORE INTO kw_settings_version VALUES (1, 0);
  CREATE TABLE IF NOT EXISTS kw_audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL);`;

/** Settings in the SQLite file beside the logs (its own connection; WAL lets both write). */
export class SqliteSettingsStore implements SettingsStore {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = openSqliteSide(path, schema);
  }

  async load(): Promise<{ version: number; docs: SettingsDoc[] }> {
    this.#db.exec("BEGIN");
    try {
      const version = this.#version();
      const rows = this.#db.prepare("SELECT kind, id, doc FROM kw_settings ORDER BY kind, id").all();
      return {
        version,
        docs: rows.map((row) => ({
          kind: row.kind as SettingsKind,
          id: row.id as string,
          doc: JSON.parse(row.doc as string) as Record<string, unknown>,
        })),
      };
    } finally {
      this.#db.exec("COMMIT");
    }
  }

  #version(): number {
    return Number(this.#db.prepare("SELECT version FROM kw_settings_version").get()?.version ?? 0);
  }

  async version(): Promise<number> {
    return this.#version();
  }

  async apply(change: SettingsChange, at = Date.now()): Promise<number> {
    return this.#inChange(() => {
      const put = this.#db.prepare(
        "INSERT INTO kw_settings (kind, id, doc) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc",
      );
      for (const entry of change.puts ?? []) put.run(entry.kind, entry.id, JSON.stringify(entry.doc));
      const remove = this.#db.prepare("DELETE FROM kw_settings WHERE kind = ? AND id = ?");
      for (const entry of change.deletes ?? []) remove.run(entry.kind, entry.id);
      return change.audit;
    }, at);
  }

  async rewrite<K extends SettingsKind>(
    kinds: readonly K[],
    transform: (doc: Record<string, unknown>, id: string, kind: K) => Record<string, unknown>,
    audit: (count: number) => Omit<AuditEntry, "at">,
  ): Promise<number> {
    return this.#inChange(() => {
      const rows = this.#db
        .prepare(`SELECT kind, id, doc FROM kw_settings WHERE kind IN (${kinds.map(() => "?").join(", ")})`)
        .all(...kinds);
      const put = this.#db.prepare("UPDATE kw_settings SET doc = ? WHERE kind = ? AND id = ?");
      for (const row of rows) {
        const kind = row.kind as K;
        const doc = transform(
          JSON.parse(row.doc as string) as Record<string, unknown>,
          row.id as string,
          kind,
        );
        put.run(JSON.stringify(doc), kind, row.id as string);
      }
      return audit(rows.length);
    }, Date.now());
  }

  /** One change: its writes, its audit entry and the version bump in one write transaction; the new version. */
  #inChange(writes: () => Omit<AuditEntry, "at">, at: number): number {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#record(writes(), at);
      this.#db.exec("UPDATE kw_settings_version SET version = version + 1");
      const version = this.#version();
      this.#db.exec("COMMIT");
      return version;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #record({ actor, action, target }: Omit<AuditEntry, "at">, at: number): void {
    this.#db
      .prepare("INSERT INTO kw_audit_log (at, actor, action, target) VALUES (?, ?, ?, ?)")
      .run(at, actor, action, target);
  }

  async auditLog(options: { limit: number; before?: number }): Promise<(AuditEntry & { seq: number })[]> {
    const rows = this.#db
      .prepare(
        "SELECT seq, at, actor, action, target FROM kw_audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?",
      )
      .all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit);
    return rows.map((row) => ({
      seq: Number(row.seq),
      at: Number(row.at),
      actor: row.actor as string,
      action: row.action as string,
      target: row.target as string,
    }));
  }

  onChange(): void {
    // One file: another instance's change shows in the version, which the poll reads.
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
