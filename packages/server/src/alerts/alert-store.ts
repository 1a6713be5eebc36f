import type { AlertState } from "./alert-decision.js";

/** Firings kept for the dashboard; older ones are dropped as new ones arrive. */
export const FIRINGS_KEPT = 1000;

/** One message a rule sent (or tried to): the dashboard's "last firings". */
export interface AlertFiring {
  alert: string;
  state: "firing" | "resolved";
  value: number;
  threshold: number;
  at: number;
  delivered: boolean;
  /** Why the webhook did not take it (never its URL). */
  error?: string;
}

/** What one instance knows that the others cannot see: its pooled keys cooled down, ingest it rejected. */
export interface InstanceSignals {
  instance: string;
  at: number;
  keys_down: string[];
  /** Logs rejected, per 10-second bucket (epoch seconds of its start). */
  rejected: Record<string, number>;
}

/**
 * Alert state shared by every instance on one database: a lease so that one instance evaluates the rules, the
 * rules' state and firings, and each instance's signals for the lease holder to read.
 */
export interface AlertStore {
  /** Takes or renews the lease for `holder` until `until`; true while `holder` holds it. */
  lease(holder: string, now: number, until: number): Promise<boolean>;
  release(holder: string): Promise<void>;
  report(signals: InstanceSignals): Promise<void>;
  signals(): Promise<InstanceSignals[]>;
  states(): Promise<AlertState[]>;
  saveStates(states: readonly AlertState[]): Promise<void>;
  recordFiring(firing: AlertFiring): Promise<void>;
  /** Newest first. */
  firings(limit: number): Promise<AlertFiring[]>;
  close(): Promise<void>;
}
