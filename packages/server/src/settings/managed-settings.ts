import { type SecretBox, SecretKeyError } from "../secrets/secret-box.js";
import type { ApiKeyRecord, ModelRecord, ProviderKeyRecord, ProviderRecord } from "./settings-records.js";
import type { SettingsDoc } from "./settings-store.js";

/** The additional data a stored credential is sealed with: its own record. */
export const sealContext = (keyId: string) => `provider_key:${keyId}`;

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
  readonly #credentials = new Map<string, string>();

  constructor(
    readonly version: number,
    docs: readonly SettingsDoc[],
    box: SecretBox | undefined,
  ) {
    for (const { kind, doc } of docs) {
      if (kind === "provider") {
        const record = doc as unknown as ProviderRecord;
        this.providers.set(record.provider_id, record);
      } else if (kind === "provider_key") {
        const record = doc as unknown as ProviderKeyRecord;
        const list = this.keys.get(record.provider_id) ?? [];
        list.push(record);
        this.keys.set(record.provider_id, list);
        if (!box)
          throw new SecretKeyError(
            "This database stores provider credentials and KEYWAY_SECRET_KEY is not set: start every instance with the key they were stored with.",
          );
        this.#credentials.set(record.id, box.open(record.secret, sealContext(record.id)));
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
  }

  static empty(): ManagedSettings {
    return new ManagedSettings(0, [], undefined);
  }

  /** A stored credential in plain text (held in memory only). */
  credential(keyId: string): string | undefined {
    return this.#credentials.get(keyId);
  }

  keysOf(providerId: string): readonly ProviderKeyRecord[] {
    return this.keys.get(providerId) ?? [];
  }
}
