import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/** Addresses a webhook may not reach unless its host is allow-listed: this machine, private networks, metadata. */
const internal = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  internal.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  internal.addSubnet(net, prefix, "ipv6");

/** Whether `address` is inside this machine or a private network (an IPv4-mapped IPv6 address judged as IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return internal.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** Why a webhook was not delivered, in words that name neither its URL nor its address (the URL is a secret). */
export class WebhookError extends Error {}

/** A refusal to connect to an internal address. */
export class InternalAddressError extends WebhookError {
  readonly code = "webhook_address_not_allowed";
  constructor() {
    super("the webhook's host is an internal address; allow it with allowedWebhookHosts");
  }
}

/**
 * A `lookup` for `http.request` that refuses a host resolving to an internal address: checked on the address the
 * socket connects to, so a DNS answer that changes between check and connect (rebinding) cannot slip through.
 */
export const publicLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "", 0);
    const usable = addresses.filter((entry) => !isInternalAddress(entry.address));
    if (usable.length === 0 || usable.length < addresses.length)
      return callback(new InternalAddressError() as NodeJS.ErrnoException, "", 0);
    if (options.all) return callback(null, usable);
    const first = usable[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};
