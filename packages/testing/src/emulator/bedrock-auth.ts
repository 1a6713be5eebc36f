import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** AWS credentials as IAM issues them (a session token for temporary ones). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Refusal = { status: number; type: string; message: string };
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding, as SigV4's canonical request wants it. */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Bedrock's auth, checked as AWS checks it and written here from the SigV4 spec (not with the signer the gateway
 * uses): the access key must be one this emulator issued, the signature must match the canonical request of what
 * arrived (every path segment encoded once more, signed headers including host and x-amz-date, the body's
 * SHA-256), the date within five minutes, a temporary key's session token present and signed. Bedrock API keys
 * come as `Authorization: Bearer`.
 */
export class BedrockAuth {
  readonly #keys = new Map<string, AwsCredentials>();
  readonly #apiKeys = new Set<string>();
  /** Regions signed for, in order (the credential scope's). */
  readonly regions: string[] = [];

  createCredentials(options: { temporary?: boolean } = {}): AwsCredentials {
    const credentials: AwsCredentials = {
      accessKeyId: `${options.temporary ? "ASIA" : "AKIA"}${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      ...(options.temporary ? { sessionToken: randomBytes(48).toString("base64") } : {}),
    };
    this.#keys.set(credentials.accessKeyId, credentials);
    return credentials;
  }

  createApiKey(): string {
    const key = `ABSK${randomBytes(32).toString("base64")}`;
    this.#apiKeys.add(key);
    return key;
  }

  /** Who signed the request (an access key id or `api-key`), or Bedrock's refusal. */
  check(req: IncomingMessage, rawPath: string, body: Buffer): { identity: string } | { refuse: Refusal } {
    const auth = String(req.headers.authorization ?? "");
    if (auth.startsWith("Bearer ")) {
      return this.#apiKeys.has(auth.slice(7))
        ? { identity: "api-key" }
        : {
            refuse: {
              status: 403,
              type: "UnrecognizedClientException",
              message: "Invalid API Key format: Must start with pre-defined prefix",
            },
          };
    }
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    const missing = {
      status: 403,
      type: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token",
    };
    if (!match) return { refuse: missing };
    const [, keyId, day, region, service, signedList, signature] = match as unknown as string[];
    const key = this.#keys.get(keyId as string);
    if (!key)
      return {
        refuse: {
          status: 403,
          type: "UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        },
      };
    const signed = (signedList as string).split(";");
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const mismatch = {
      status: 403,
      type: "InvalidSignatureException",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    };
    if (
      service !== "bedrock" ||
      !signed.includes("host") ||
      !signed.includes("x-amz-date") ||
      !amzDate.startsWith(day as string)
    )
      return { refuse: mismatch };
    const at = Date.UTC(
      +amzDate.slice(0, 4),
      +amzDate.slice(4, 6) - 1,
      +amzDate.slice(6, 8),
      +amzDate.slice(9, 11),
      +amzDate.slice(11, 13),
      +amzDate.slice(13, 15),
    );
    if (!(Math.abs(Date.now() - at) <= 5 * 60_000))
      return { refuse: { status: 403, type: "InvalidSignatureException", message: "Signature expired" } };
    if (
      key.sessionToken &&
      (req.headers["x-amz-security-token"] !== key.sessionToken || !signed.includes("x-amz-security-token"))
    )
      return {
        refuse: {
          status: 403,
          type: "UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        },
      };
    const payloadHash = sha256(body);
    const declared = req.headers["x-amz-content-sha256"];
    if (declared !== undefined && declared !== payloadHash) return { refuse: mismatch };
    const canonical = [
      req.method ?? "POST",
      rawPath.split("/").map(rfc3986).join("/"),
      "",
      `${signed
        .map(
          (name) =>
            `${name}:${String(req.headers[name] ?? "")
              .trim()
              .replace(/\s+/g, " ")}`,
        )
        .join("\n")}\n`,
      signedList,
      payloadHash,
    ].join("\n");
    const scope = `${day}/${region}/${service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    let signing = hmac(`AWS4${key.secretAccessKey}`, day as string);
    for (const part of [region as string, service as string, "aws4_request"]) signing = hmac(signing, part);
    const expected = Buffer.from(hmac(signing, toSign).toString("hex"));
    const given = Buffer.from(signature as string);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { refuse: mismatch };
    this.regions.push(region as string);
    return { identity: keyId as string };
  }
}
