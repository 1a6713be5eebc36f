import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { ConfigError, readEnv } from "@keyway/core";
import { isPostgresUrl } from "../store/db-url.js";
import { SecretBox } from "./secret-box.js";

const hint = "32 bytes as 64 hex characters or base64 (`openssl rand -base64 32`)";

/** One key of `KEYWAY_SECRET_KEY` (comma-separated: the first seals, all open) or of a key file. */
export function parseSecretKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, "base64")
      : undefined;
  if (key?.length !== 32) throw new ConfigError(`${where} is not a secret key: use ${hint}.`);
  return key;
}

const parseList = (text: string, where: string) =>
  text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => parseSecretKey(part, where));

/** Where a SQLite database's generated key lives when no `KEYWAY_SECRET_KEY` is set: beside it. */
export const keyFileOf = (db: string) => `${db}.secret-key`;

function readKeyFile(file: string): Buffer[] {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw new ConfigError(
      `${file} is readable by other users (mode ${mode.toString(8)}): chmod 600 it; it holds the key of the stored secrets.`,
    );
  return parseList(readFileSync(file, "utf8"), file);
}

/** Writes a key file (mode 0600): `keys` first one seals. */
export function writeKeyFile(file: string, keys: readonly Buffer[]): void {
  writeFileSync(file, `${keys.map((key) => key.toString("base64")).join("\n")}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The key ring of the stored secrets: `KEYWAY_SECRET_KEY`; else, for a SQLite file, a key generated beside it;
 * a throwaway key for `:memory:`; none for Postgres (whose instances must share a key they are given).
 */
export interface SecretKeys {
  box: SecretBox | undefined;
  /** Reads the key again (a key file rotated by another process); the same box when nothing changed. */
  reload(): SecretBox | undefined;
  /** Where the key comes from, for messages. */
  source: string;
  /** The key file, when the key is one. */
  file?: string;
}

export function resolveSecretKeys(db: string, env: Record<string, string | undefined>): SecretKeys {
  const given = readEnv("KEYWAY_SECRET_KEY", env);
  if (given !== undefined) {
    const box = new SecretBox(parseList(given, "KEYWAY_SECRET_KEY"));
    return { box, reload: () => box, source: "KEYWAY_SECRET_KEY" };
  }
  if (isPostgresUrl(db)) return { box: undefined, reload: () => undefined, source: "KEYWAY_SECRET_KEY" };
  if (db === ":memory:") {
    const box = new SecretBox([randomBytes(32)]);
    return { box, reload: () => box, source: "a key of this process" };
  }
  const file = keyFileOf(db);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another instance on the same file created it first: read that one.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  let box = new SecretBox(readKeyFile(file));
  return {
    get box() {
      return box;
    },
    reload() {
      box = new SecretBox(readKeyFile(file));
      return box;
    },
    source: file,
    file,
  };
}
