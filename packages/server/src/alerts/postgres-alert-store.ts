import type pg from "pg";
import { openPostgresSide } from "../store/side-connections.js";
import type { AlertState } from "./alert-decision.js";
import { type AlertFiring, type AlertStore, FIRINGS_KEPT, type InstanceSignals } from "./alert-store.js";

const schema = `
  CREATE TABLE IF NOT EXISTS kw_alert_lease (
    one INTEGER PRIMARY KEY CHECK (one = 1), holder TEXT NOT NULL, expires_at BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS kw_alert_state (name TEXT PRIMARY KEY, doc JSONB NOT NULL);
  CREATE TABLE IF NOT EXISTS kw_alert_signals (instance TEXT PRIMARY KEY, doc JSONB NOT NULL);
  CREATE TABLE IF NOT EXISTS kw_alert_firings (seq BIGSERIAL PRIMARY KEY, doc JSONB NOT NULL);`;

/** Alert state in the Postgres every instance shares: the lease is one row, taken only when it has expired. */
export class PostgresAlertStore implements AlertStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, onError: (error: unknown) => void): Promise<PostgresAlertStore> {
    const pool = await openPostgresSide(url, { max: 2, lock: "keyway_alerts_schema", schema, onError });
    return new PostgresAlertStore(pool);
  }

  async lease(holder: string, now: number, until: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `INSERT INTO kw_alert_lease (one, holder, expires_at) VALUES (1, $1, $2)
       ON CONFLICT (one) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE kw_alert_lease.holder = excluded.holder OR kw_alert_lease.expires_at < $3
       RETURNING holder`,
      [holder, until, now],
    );
    return rows[0]?.holder === holder;
  }

  async release(holder: string): Promise<void> {
    await this.pool.query("UPDATE kw_alert_lease SET expires_at = 0 WHERE holder = $1", [holder]);
  }

  async report(signals: InstanceSignals): Promise<void> {
    await this.pool.query(
      "INSERT INTO kw_alert_signals (instance, doc) VALUES ($1, $2) ON CONFLICT (instance) DO UPDATE SET doc = excluded.doc",
      [signals.instance, signals],
    );
  }

  async signals(): Promise<InstanceSignals[]> {
    const { rows } = await this.pool.query("SELECT doc FROM kw_alert_signals");
    return rows.map((row) => row.doc as InstanceSignals);
  }

  async states(): Promise<AlertState[]> {
    const { rows } = await this.pool.query("SELECT doc FROM kw_alert_state");
    return rows.map((row) => row.doc as AlertState);
  }

  async saveStates(states: readonly AlertState[]): Promise<void> {
    if (states.length === 0) return;
    await this.pool.query(
      `INSERT INTO kw_alert_state (name, doc) SELECT d->>'name', d FROM jsonb_array_elements($1::jsonb) AS d
       ON CONFLICT (name) DO UPDATE SET doc = excluded.doc`,
      [JSON.stringify(states)],
    );
  }

  async recordFiring(firing: AlertFiring): Promise<void> {
    await this.pool.query(
      `WITH added AS (INSERT INTO kw_alert_firings (doc) VALUES ($1) RETURNING seq)
       DELETE FROM kw_alert_firings WHERE seq <= (SELECT seq FROM added) - $2`,
      [firing, FIRINGS_KEPT],
    );
  }

  async firings(limit: number): Promise<AlertFiring[]> {
    const { rows } = await this.pool.query("SELECT doc FROM kw_alert_firings ORDER BY seq DESC LIMIT $1", [
      limit,
    ]);
    return rows.map((row) => row.doc as AlertFiring);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
