import { SecretMatcher } from "./secret-matcher.js";

export const REDACTED = "[REDACTED]";

const keyPatterns: RegExp[] = [
  /\bsk-(?:ant-|proj-|or-v1-|svcacct-)?[A-Za-z0-9_-]{16,}/g,
  /\b(?:gsk|fw|csk)_[A-Za-z0-9]{16,}/g,
  /\b(?:xai|pplx)-[A-Za-z0-9]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
];
const mayHoldSecret =
  /sk-|gsk_|fw_|csk_|xai-|pplx-|AKIA|AIza|bearer|api[_-]?key|authorization|password|secret|access_token|refresh_token|credentials|credential_override/i;
const bearerPattern = /(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
const assignmentPattern =
  /(\b(?:api[_-]?key|x-api-key|authorization)\b["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^\s"',}]{6,}/gi;
const sensitiveKey =
  /^(?:api[_-]?key|apikey|x-api-key|authorization|password|secret|client_secret|access_token|refresh_token|customer_credentials|credential_override)$/i;

/**
 * Replaces secrets in a text: `secrets` (the keys Keyway was given) in any casing or base64, then anything shaped like
 * a provider key (`sk-…`, `sk-ant-…`, `gsk_…`, `fw_…`, `xai-…`, AWS and Google keys), bearer tokens and
 * `api_key=…` assignments.
 */
export function redactText(text: string, secrets: Iterable<string> | SecretMatcher = []): string {
  let out = SecretMatcher.of(secrets).replace(text, REDACTED);
  // Most strings hold nothing key-like; one cheap scan spares them the full set of patterns.
  if (out.length < 6 || !mayHoldSecret.test(out)) return out;
  for (const pattern of keyPatterns) out = out.replace(pattern, REDACTED);
  return out.replace(bearerPattern, `$1${REDACTED}`).replace(assignmentPattern, `$1${REDACTED}`);
}

/**
 * Whether a text (often a whole serialized log) might hold anything `redactValue` would replace: a key shape, a
 * bearer token, a credential-named field, or one of `secrets`. False means redaction would change nothing.
 */
export function mayHoldSecrets(text: string, secrets: Iterable<string> | SecretMatcher = []): boolean {
  return mayHoldSecret.test(text) || SecretMatcher.of(secrets).test(text);
}

/** A deep copy of a JSON value with every string redacted and the values of credential-named keys replaced. */
export function redactValue<T>(value: T, secrets: Iterable<string> | SecretMatcher = []): T {
  const list = SecretMatcher.of(secrets);
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return redactText(node, list);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === "object" && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        out[key] =
          sensitiveKey.test(key) && child !== null && child !== undefined && child !== ""
            ? REDACTED
            : walk(child);
      }
      return out;
    }
    return node;
  };
  return walk(value) as T;
}

/** Cuts every string longer than `maxChars` in a JSON value, marking what was cut. */
export function truncateStrings<T>(value: T, maxChars: number): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") {
      return node.length > maxChars
        ? `${node.slice(0, maxChars)}…[truncated ${node.length - maxChars} chars]`
        : node;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === "object" && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child);
      return out;
    }
    return node;
  };
  return walk(value) as T;
}
