/** What `keyway serve` keeps as managed settings: each a JSON document under its kind and id. */
export type SettingsKind = "provider" | "provider_key" | "model" | "api_key" | "alert";

/** The kinds whose documents hold a sealed `secret`. */
export const sealedKinds = ["provider_key", "alert"] as const satisfies readonly SettingsKind[];
export type SealedKind = (typeof sealedKinds)[number];
export const isSealedKind = (kind: SettingsKind): kind is SealedKind =>
  (sealedKinds as readonly SettingsKind[]).includes(kind);

export interface SettingsDoc {
  kind: SettingsKind;
  id: string;
  doc: Record<string, unknown>;
}

export interface AuditEntry {
  /** Epoch ms. */
  at: number;
  /** The name of the API key that made the change. */
  actor: string;
  action: string;
  target: string;
}

/** Writes applied together (all or none), with the audit entry that records them. */
export interface SettingsChange {
  puts?: SettingsDoc[];
  deletes?: { kind: SettingsKind; id: string }[];
  audit: Omit<AuditEntry, "at">;
}

/**
 * Managed settings in the database `keyway serve` logs to (SQLite or Postgres). Every change bumps one version
 * number, so each instance on the database sees that its copy is stale and reloads it.
 */
export interface SettingsStore {
  load(): Promise<{ version: number; docs: SettingsDoc[] }>;
  version(): Promise<number>;
  /** Applies a change in one transaction; the new version. */
  apply(change: SettingsChange, at?: number): Promise<number>;
  /**
   * Rewrites every document of `kinds` in one transaction (rows locked against a concurrent change), with the
   * audit entry; the new version.
   */
  rewrite<K extends SettingsKind>(
    kinds: readonly K[],
    transform: (doc: Record<string, unknown>, id: string, kind: K) => Record<string, unknown>,
    audit: (count: number) => Omit<AuditEntry, "at">,
  ): Promise<number>;
  /** Newest first; `before` an entry's `seq` pages back. */
  auditLog(options: { limit: number; before?: number }): Promise<(AuditEntry & { seq: number })[]>;
  /** Called when another instance changed the settings (Postgres `NOTIFY`); polling covers the rest. */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}
