import type { SecretKeys } from "../secrets/master-key.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { ManagedSettings } from "./managed-settings.js";
import type { SettingsChange, SettingsStore } from "./settings-store.js";

/**
 * The managed settings as this instance sees them, kept current: its own changes at once, another instance's
 * on its `NOTIFY` (Postgres) or the next poll of the version (every `pollMs`). A version that cannot be read
 * (stored under a key this instance lacks) leaves the last good one in force and is reported.
 */
export class LiveSettings {
  #current: ManagedSettings;
  #refreshing: Promise<void> | undefined;
  #again = false;
  #failedVersion = -1;
  readonly #listeners: ((settings: ManagedSettings) => void)[] = [];
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly store: SettingsStore,
    readonly keys: SecretKeys,
    initial: ManagedSettings,
    readonly onError: (error: unknown) => void,
    pollMs: number,
  ) {
    this.#current = initial;
    this.#timer = setInterval(() => this.refresh().catch(onError), pollMs).unref();
    store.onChange(() => this.refresh().catch(onError));
  }

  /** Reads the settings; stored secrets this instance cannot open are a start-up error (`SecretKeyError`). */
  static async open(
    store: SettingsStore,
    keys: SecretKeys,
    onError: (error: unknown) => void,
    pollMs = 500,
  ): Promise<LiveSettings> {
    const { version, docs } = await store.load();
    return new LiveSettings(store, keys, new ManagedSettings(version, docs, keys.box), onError, pollMs);
  }

  get current(): ManagedSettings {
    return this.#current;
  }

  /**
   * The box new secrets are sealed with, the key read again (a key file rotated a moment ago seals already);
   * undefined when no key is set (Postgres without `KEYWAY_SECRET_KEY`).
   */
  get box(): SecretBox | undefined {
    return this.keys.reload();
  }

  onUpdate(listener: (settings: ManagedSettings) => void): void {
    this.#listeners.push(listener);
  }

  /** Writes a change and answers once this instance applies it. */
  async apply(change: SettingsChange): Promise<ManagedSettings> {
    await this.store.apply(change);
    await this.refresh();
    return this.#current;
  }

  /** Reads the settings again when their version moved; concurrent calls share one read (and one more after). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#reload();
        } while (this.#again);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async #reload(): Promise<void> {
    if ((await this.store.version()) === this.#current.version) return;
    const { version, docs } = await this.store.load();
    let next: ManagedSettings;
    try {
      // Read the key again on every change: a key file rotated by `keyway rotate-secret` seals from now on.
      next = new ManagedSettings(version, docs, this.keys.reload());
    } catch (error) {
      if (this.#failedVersion !== version) this.onError(error);
      this.#failedVersion = version;
      return;
    }
    this.#current = next;
    for (const listener of this.#listeners) listener(next);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#refreshing?.catch(() => {});
    await this.store.close();
  }
}
