import type { AlertRule } from "../alerts/alert-rules.js";
import { type SecretBox, SecretKeyError } from "../secrets/secret-box.js";
import type {
  AlertRecord,
  ApiKeyRecord,
  ModelRecord,
  ProviderKeyRecord,
  ProviderRecord,
} from "./settings-records.js";
import { isSealedKind, type SealedKind, type SettingsDoc } from "./settings-store.js";

/** The additional data a stored secret is sealed with: its own record, so a sealed value cannot be moved. */
export const sealContext = (kind: SealedKind, id: string) => `${kind}:${id}`;

/**
 * One version of the managed settings, as read from the database, with the stored credentials opened. Read
 * only: a change is written to the store and a new snapshot read back.
 */
export class ManagedSettings {
  readonly providers = new Map<string, ProviderRecord>();
  /** By provider id, in the order they were added. */
  readonly keys = new Map<string, ProviderKeyRecord[]>();
  readonly models = new Map<string, ModelRecord>();
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  /** Keys in force (not revoked), by the hash of the key. */
  readonly apiKeysByHash = new Map<string, ApiKeyRecord>();
  /** Alert rules, in the order they were added. */
  readonly alerts = new Map<string, AlertRecord>();
  /** The stored secrets opened (held in memory only), by the context each is sealed with. */
  readonly #secrets = new Map<string, string>();

  constructor(
    readonly version: number,
    docs: readonly SettingsDoc[],
    box: SecretBox | undefined,
  ) {
    for (const { kind, id, doc } of docs) {
      if (isSealedKind(kind)) {
        const context = sealContext(kind, id);
        this.#secrets.set(context, opened(box, doc.secret as string, context, sealedWhat[kind]));
      }
      if (kind === "provider") {
        const record = doc as unknown as ProviderRecord;
        this.providers.set(record.provider_id, record);
      } else if (kind === "provider_key") {
        const record = doc as unknown as ProviderKeyRecord;
        const list = this.keys.get(record.provider_id) ?? [];
        list.push(record);
        this.keys.set(record.provider_id, list);
      } else if (kind === "alert") {
        const record = doc as unknown as AlertRecord;
        this.alerts.set(record.id, record);
      } else if (kind === "model") {
        const record = doc as unknown as ModelRecord;
        this.models.set(record.model_id, record);
      } else {
        const record = doc as unknown as ApiKeyRecord;
        this.apiKeys.set(record.id, record);
        if (!record.revoked_at) this.apiKeysByHash.set(record.hash, record);
      }
    }
    for (const list of this.keys.values()) list.sort((a, b) => a.created_at.localeCompare(b.created_at));
    const alerts = [...this.alerts.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
    this.alerts.clear();
    for (const record of alerts) this.alerts.set(record.id, record);
  }

  static empty(): ManagedSettings {
    return new ManagedSettings(0, [], undefined);
  }

  /** A stored credential in plain text (held in memory only). */
  credential(keyId: string): string | undefined {
    return this.#secrets.get(sealContext("provider_key", keyId));
  }

  /** The managed alert rules as the engine runs them, each with its webhook's URL opened. */
  alertRules(): AlertRule[] {
    return [...this.alerts.values()].map(({ secret: _secret, webhook, created_at, updated_at, ...rule }) => ({
      ...rule,
      webhook: { url: this.#secrets.get(sealContext("alert", rule.id)) as string, format: webhook.format },
    }));
  }

  keysOf(providerId: string): readonly ProviderKeyRecord[] {
    return this.keys.get(providerId) ?? [];
  }
}

const sealedWhat: Record<SealedKind, string> = {
  provider_key: "provider credentials",
  alert: "alert webhook URLs",
};

function opened(box: SecretBox | undefined, sealed: string, context: string, what: string): string {
  if (!box)
    throw new SecretKeyError(
      `This database stores ${what} and KEYWAY_SECRET_KEY is not set: start every instance with the key they were stored with.`,
    );
  return box.open(sealed, context);
}
