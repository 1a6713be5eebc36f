import { type createPublicKey, createVerify, generateKeyPairSync, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { googleError } from "./google-gemini.js";

/** A Google service account the emulated OAuth endpoint knows: its JSON (private key included) as Google issues it. */
export interface ServiceAccountJson {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  token_uri: string;
}

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const b64url = (text: string) => Buffer.from(text, "base64url").toString("utf8");

/**
 * Google's OAuth token endpoint and Vertex AI's auth, emulated strictly: a service account is created here (its
 * public key kept, its private key handed out once), a token is issued only for a JWT signed RS256 by that key with
 * `iss` its email, `aud` the token URI, the cloud-platform scope, `iat` not in the future and a lifetime of at most
 * an hour; a token expires after `tokenLifetimeSeconds`; a Vertex call without a live token is a 401.
 */
export class VertexAuth {
  readonly #keys = new Map<string, { publicKey: ReturnType<typeof createPublicKey>; tokenUri: string }>();
  readonly #tokens = new Map<string, number>();
  /** Tokens issued, in order: how tests see caching and refreshing. */
  readonly issued: { clientEmail: string; at: number; token: string }[] = [];
  tokenLifetimeSeconds = 3600;

  constructor(private readonly url: () => string) {}

  createServiceAccount(project = "emulated-project"): ServiceAccountJson {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const clientEmail = `keyway-${randomBytes(4).toString("hex")}@${project}.iam.gserviceaccount.com`;
    const tokenUri = `${this.url()}/oauth2/token`;
    this.#keys.set(clientEmail, { publicKey, tokenUri });
    return {
      type: "service_account",
      project_id: project,
      private_key_id: randomBytes(20).toString("hex"),
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      client_email: clientEmail,
      token_uri: tokenUri,
    };
  }

  /** `POST /oauth2/token` with `grant_type=…jwt-bearer&assertion=…`: a token, or Google's `invalid_grant`. */
  token(form: URLSearchParams): { status: number; body: unknown } {
    const refuse = (description: string) => ({
      status: 400,
      body: { error: "invalid_grant", error_description: description },
    });
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return {
        status: 400,
        body: { error: "unsupported_grant_type", error_description: "Invalid grant_type." },
      };
    const [header, payload, signature] = (form.get("assertion") ?? "").split(".");
    if (!header || !payload || !signature) return refuse("Invalid JWT: malformed.");
    let claims: Record<string, unknown>;
    let head: Record<string, unknown>;
    try {
      head = JSON.parse(b64url(header));
      claims = JSON.parse(b64url(payload));
    } catch {
      return refuse("Invalid JWT: not JSON.");
    }
    if (head.alg !== "RS256") return refuse("Invalid JWT: the signing algorithm must be RS256.");
    const account = this.#keys.get(String(claims.iss));
    if (!account) return refuse("Invalid JWT Signature.");
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(account.publicKey, Buffer.from(signature, "base64url")))
      return refuse("Invalid JWT Signature.");
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (claims.aud !== account.tokenUri)
      return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.");
    if (!(iat <= now + 60) || !(exp > now) || exp - iat > 3600)
      return refuse(
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
      );
    if (
      !String(claims.scope ?? "")
        .split(" ")
        .includes(SCOPE)
    )
      return refuse("Invalid OAuth scope or ID token audience provided.");
    const token = `ya29.emu-${randomBytes(24).toString("base64url")}`;
    this.#tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    this.issued.push({ clientEmail: String(claims.iss), at: Date.now(), token });
    return {
      status: 200,
      body: { access_token: token, expires_in: this.tokenLifetimeSeconds, token_type: "Bearer" },
    };
  }

  /** The live token a Vertex request carries, or why it is refused (Google's 401). */
  check(req: IncomingMessage): { token: string } | { refuse: { status: number; body: unknown } } {
    const auth = req.headers.authorization;
    const token = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const expires = token ? this.#tokens.get(token) : undefined;
    if (!token || expires === undefined || expires <= Date.now())
      return {
        refuse: {
          status: 401,
          body: googleError(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
          ),
        },
      };
    return { token };
  }
}

/** A Vertex AI path: Gemini (`publishers/google`) or Claude (`publishers/anthropic`, rawPredict). */
export function vertexRoute(
  path: string,
): { publisher: "google" | "anthropic"; model: string; method: string } | undefined {
  const match =
    /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/(google|anthropic)\/models\/([^/:]+):(\w+)$/.exec(
      path,
    );
  if (!match) return undefined;
  return {
    publisher: match[1] as "google" | "anthropic",
    model: decodeURIComponent(match[2] as string),
    method: match[3] as string,
  };
}
