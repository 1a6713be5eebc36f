import type { DatabaseSync } from "node:sqlite";
import { openSqliteSide } from "../store/side-connections.js";
import type { AlertState } from "./alert-decision.js";
import { type AlertFiring, type AlertStore, FIRINGS_KEPT, type InstanceSignals } from "./alert-store.js";

const schema = `
  CREATE TABLE IF NOT EXISTS kw_alert_lease (
    one INTEGER PRIMARY KEY CHECK (one = 1), holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS kw_alert_state (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS kw_alert_signals (instance TEXT PRIMARY KEY, doc TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS kw_alert_firings (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL);`;

/** Alert state in the SQLite file beside the logs (its own connection, as the settings have). */
export class SqliteAlertStore implements AlertStore {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    this.#db = openSqliteSide(path, schema);
  }

  async lease(holder: string, now: number, until: number): Promise<boolean> {
    const row = this.#db
      .prepare(
        `INSERT INTO kw_alert_lease (one, holder, expires_at) VALUES (1, ?, ?)
         ON CONFLICT (one) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE kw_alert_lease.holder = excluded.holder OR kw_alert_lease.expires_at < ?
         RETURNING holder`,
      )
      .get(holder, until, now);
    return row?.holder === holder;
  }

  async release(holder: string): Promise<void> {
    this.#db.prepare("UPDATE kw_alert_lease SET expires_at = 0 WHERE holder = ?").run(holder);
  }

  async report(signals: InstanceSignals): Promise<void> {
    this.#db
      .prepare(
        "INSERT INTO kw_alert_signals (instance, doc) VALUES (?, ?) ON CONFLICT (instance) DO UPDATE SET doc = excluded.doc",
      )
      .run(signals.instance, JSON.stringify(signals));
  }

  async signals(): Promise<InstanceSignals[]> {
    return this.#db
      .prepare("SELECT doc FROM kw_alert_signals")
      .all()
      .map((row) => JSON.parse(String(row.doc)) as InstanceSignals);
  }

  async states(): Promise<AlertState[]> {
    return this.#db
      .prepare("SELECT doc FROM kw_alert_state")
      .all()
      .map((row) => JSON.parse(String(row.doc)) as AlertState);
  }

  async saveStates(states: readonly AlertState[]): Promise<void> {
    const save = this.#db.prepare(
      "INSERT INTO kw_alert_state (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc",
    );
    this.#db.exec("BEGIN");
    try {
      for (const state of states) save.run(state.name, JSON.stringify(state));
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  async recordFiring(firing: AlertFiring): Promise<void> {
    this.#db.prepare("INSERT INTO kw_alert_firings (doc) VALUES (?)").run(JSON.stringify(firing));
    this.#db
      .prepare("DELETE FROM kw_alert_firings WHERE seq <= (SELECT MAX(seq) FROM kw_alert_firings) - ?")
      .run(FIRINGS_KEPT);
  }

  async firings(limit: number): Promise<AlertFiring[]> {
    return this.#db
      .prepare("SELECT doc FROM kw_alert_firings ORDER BY seq DESC LIMIT ?")
      .all(limit)
      .map((row) => JSON.parse(String(row.doc)) as AlertFiring);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
