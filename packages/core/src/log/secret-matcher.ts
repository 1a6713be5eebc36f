const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The parts of `secret`'s base64 that do not depend on the bytes around it, at each of the three alignments it
 * can have inside a longer encoded text, in the standard and the URL-safe alphabet.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const whole = Math.floor(padded.length / 3) * 4;
    const core = padded.toString("base64").slice(offset === 0 ? 0 : 4, whole);
    if (core.length >= 8) cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return cores;
}

/**
 * Finds known secrets (the keys a request used, the sink's own key) in text: as given, in any casing (an
 * upstream may echo a key upper-cased), and base64-encoded (as in a Basic auth header or an encoded blob).
 * Secrets shorter than 4 characters are ignored: they would match everywhere.
 */
export class SecretMatcher {
  static readonly none = new SecretMatcher([]);
  readonly #plain: RegExp | undefined;
  readonly #encoded: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    const usable = [...new Set(secrets)].filter((secret) => secret.length >= 4);
    // Longest first, so a secret that contains another is replaced whole.
    usable.sort((a, b) => b.length - a.length);
    if (usable.length === 0) return;
    this.#plain = new RegExp(usable.map(escapeRegExp).join("|"), "gi");
    const encoded = [...new Set(usable.flatMap(base64Cores))].sort((a, b) => b.length - a.length);
    if (encoded.length > 0) this.#encoded = new RegExp(encoded.map(escapeRegExp).join("|"), "g");
  }

  static of(secrets: Iterable<string> | SecretMatcher): SecretMatcher {
    return secrets instanceof SecretMatcher ? secrets : new SecretMatcher(secrets);
  }

  test(text: string): boolean {
    if (this.#plain === undefined) return false;
    this.#plain.lastIndex = 0;
    if (this.#plain.test(text)) return true;
    if (this.#encoded === undefined) return false;
    this.#encoded.lastIndex = 0;
    return this.#encoded.test(text);
  }

  replace(text: string, replacement: string): string {
    if (this.#plain === undefined) return text;
    const out = text.replace(this.#plain, replacement);
    return this.#encoded === undefined ? out : out.replace(this.#encoded, replacement);
  }
}
