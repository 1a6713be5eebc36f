import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { hostAllowed } from "@keyway/core";
import type { AlertKind, AlertRule, AlertWebhook } from "./alert-rules.js";
import { InternalAddressError, isInternalAddress, publicLookup, WebhookError } from "./public-address.js";

/** The JSON a firing posts (the contract): `at` is ISO 8601. */
export interface AlertMessage {
  alert: string;
  state: "firing" | "resolved";
  value: number;
  threshold: number;
  at: string;
}

const TIMEOUT_MS = 5_000;

/** A value as a person reads it in Slack: shares as percentages, latency in seconds. */
function shown(kind: AlertKind, value: number): string {
  if (kind === "error_rate" || kind === "budget") return `${Math.round(value * 1000) / 10}%`;
  if (kind === "p95_latency") return `${Math.round(value * 1000) / 1000} s`;
  return String(value);
}

const what: Record<AlertKind, string> = {
  error_rate: "error rate",
  p95_latency: "p95 latency",
  budget: "budget spent",
  key_down: "provider keys down",
  ingest_rejected: "logs rejected",
};

/** The body for the webhook's format: the contract's JSON, or Slack's incoming-webhook `{text}`. */
export function webhookBody(rule: AlertRule, message: AlertMessage): unknown {
  if (rule.webhook.format !== "slack") return message;
  const head = message.state === "firing" ? ":rotating_light: *firing*" : ":white_check_mark: *resolved*";
  const customer = rule.customer ? ` (customer ${rule.customer})` : "";
  return {
    text: `${head} Keyway alert "${rule.name}"${customer}: ${what[rule.kind]} ${shown(rule.kind, message.value)}, threshold ${shown(rule.kind, rule.threshold)}`,
  };
}

/**
 * Why a webhook would be refused before any lookup (plain http, or an internal address written in the URL), or
 * undefined; a name that resolves to an internal address is refused when connecting.
 */
export function webhookRefusal(url: URL, allowedHosts: readonly string[]): WebhookError | undefined {
  if (hostAllowed(url, allowedHosts)) return undefined;
  if (url.protocol !== "https:")
    return new WebhookError("the webhook must be https (or its host:port in allowedWebhookHosts)");
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(literal) !== 0 && isInternalAddress(literal)) return new InternalAddressError();
  return undefined;
}

/**
 * POSTs `body` to the webhook. A host on `allowedHosts` (`host:port`) may be anything, over http too; any other
 * must be https and resolve to public addresses only (no loopback, private networks or cloud metadata), checked
 * at connect time. Redirects are not followed. Errors never carry the URL: it is a secret.
 */
export function postWebhook(
  webhook: AlertWebhook,
  body: unknown,
  allowedHosts: readonly string[],
): Promise<void> {
  const url = new URL(webhook.url);
  const listed = hostAllowed(url, allowedHosts);
  const refusal = webhookRefusal(url, allowedHosts);
  if (refusal) return Promise.reject(refusal);
  const payload = Buffer.from(JSON.stringify(body));
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": payload.length,
          "user-agent": "keyway-alerts",
        },
        timeout: TIMEOUT_MS,
        ...(listed ? {} : { lookup: publicLookup }),
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new WebhookError(`the webhook answered ${status}`));
        });
      },
    );
    req.on("timeout", () =>
      req.destroy(new WebhookError(`the webhook did not answer within ${TIMEOUT_MS} ms`)),
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error instanceof WebhookError
          ? error
          : new WebhookError(`could not reach the webhook (${error.code ?? "network error"})`),
      ),
    );
    req.end(payload);
  });
}
