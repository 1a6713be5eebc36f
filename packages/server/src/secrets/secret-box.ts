import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { ConfigError } from "@keyway/core";

const VERSION = "kw1";

/** A key's public name: lets a sealed value say which key sealed it without revealing anything of the key. */
export function secretKeyId(key: Buffer): string {
  return createHash("sha256").update("keyway-secret-key-id:").update(key).digest("hex").slice(0, 16);
}

/**
 * Secrets sealed with AES-256-GCM. The first key seals; every key opens (a key ring, so a rotation can run
 * while instances still hold the old key). The record a secret belongs to is its additional data: a sealed
 * value copied onto another record does not open.
 */
export class SecretBox {
  readonly #keys: Map<string, Buffer>;
  readonly keyId: string;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new ConfigError("A secret box needs at least one key.");
    for (const key of keys)
      if (key.length !== 32) throw new ConfigError("A secret key is 32 bytes (AES-256).");
    this.#keys = new Map(keys.map((key) => [secretKeyId(key), key]));
    this.keyId = secretKeyId(keys[0] as Buffer);
  }

  /** A ring with `key` first (sealing from now on) and this ring's keys after it (still opening). */
  withFirst(key: Buffer): SecretBox {
    return new SecretBox([key, ...[...this.#keys.values()].filter((held) => !held.equals(key))]);
  }

  seal(plaintext: string, record: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#keys.get(this.keyId) as Buffer, iv);
    cipher.setAAD(Buffer.from(record));
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.keyId, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  /** Whether this ring holds the key `sealed` was sealed with. */
  canOpen(sealed: string): boolean {
    return this.#keys.has(sealedKeyId(sealed));
  }

  open(sealed: string, record: string): string {
    const [version, keyId, iv, tag, body] = sealed.split(".");
    const key = keyId ? this.#keys.get(keyId) : undefined;
    if (version !== VERSION || !iv || !tag || body === undefined)
      throw new SecretKeyError(`A stored secret of ${record} is not in Keyway's sealed format.`);
    if (!key)
      throw new SecretKeyError(
        `The stored secrets were encrypted with another key (key id ${keyId}; this server has ${[...this.#keys.keys()].join(", ")}): set KEYWAY_SECRET_KEY to the key they were stored with.`,
      );
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(record));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      throw new SecretKeyError(`The stored secret of ${record} does not decrypt: it was altered or moved.`);
    }
  }
}

export function sealedKeyId(sealed: string): string {
  return sealed.split(".")[1] ?? "";
}

/** Stored secrets that this server's key cannot open: a start-up error, never garbage keys. */
export class SecretKeyError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyError";
  }
}
