import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsKeys } from "../../credentials/aws-keys.js";

const sha256 = Hash.bind(null, "sha256");

/**
 * SigV4 headers for one Bedrock call, from AWS's own signer (`@smithy/signature-v4`, what the AWS SDK uses): the
 * host and content type signed with the body's hash, for service `bedrock` in `region`.
 */
export async function signAws(
  keys: AwsKeys,
  region: string,
  request: { url: string; body: string },
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const signer = new SignatureV4({
    service: "bedrock",
    region,
    sha256,
    credentials: {
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      ...(keys.sessionToken ? { sessionToken: keys.sessionToken } : {}),
    },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, "content-type": "application/json" },
    body: request.body,
  });
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return headers;
}
