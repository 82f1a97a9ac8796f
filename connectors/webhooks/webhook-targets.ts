import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

import type { WebhookTargets } from '../../core/ports/webhook-sender.js';

// Callbacks are chosen by API key holders and delivered from inside Azure: unless
// WEBHOOK_ALLOW_PRIVATE_TARGETS is set, public unicast addresses only (no metadata endpoint, VNet
// or loopback).
// https://owasp.org/www-community/attacks/Server_Side_Request_Forgery

/** Words for ipaddr.js's range names, in the messages a subscriber reads. */
const rangeWords: Readonly<Record<string, string>> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  uniqueLocal: 'unique-local',
  reserved: 'reserved',
  ipv4Mapped: 'IPv4-mapped',
};

/** Global unicast IPv6 (RFC 4291 §2.4): everything public is allocated in it. */
const globalUnicast = ipaddr.IPv6.parse('2000::');

/** The class of a literal address that deliveries may not reach, or undefined when it is public. */
export function refusedRange(address: string): string | undefined {
  if (isIP(address) === 0 || !ipaddr.isValid(address)) return 'not an address';
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  if (range !== 'unicast') return rangeWords[range] ?? `special-purpose (${range})`;
  // ipaddr.js calls unlisted IPv6 "unicast", the IPv4-compatible ::a.b.c.d among them.
  if (parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(globalUnicast, 3)) {
    return 'special-purpose';
  }
  return undefined;
}

/** `localhost` and its subdomains always mean this machine (RFC 6761 §6.3). */
const isLocalhostName = (name: string): boolean =>
  name === 'localhost' || name.endsWith('.localhost');

/** A URL's hostname as an address or a name: no IPv6 brackets, no root dot, lowercase. */
export function bareHost(url: URL): string {
  const host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export interface WebhookTargetOptions {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: plain http and any address (the local demo receiver). */
  readonly allowPrivateTargets: boolean;
}

/** The rule subscribe checks on the URL, and the sender again on every address it resolves. */
export class WebhookTargetPolicy implements WebhookTargets {
  constructor(private readonly options: WebhookTargetOptions) {}

  refusal(url: URL): string | undefined {
    if (this.options.allowPrivateTargets) {
      return url.protocol === 'https:' || url.protocol === 'http:'
        ? undefined
        : 'callbackUrl: must be an https URL (plain http is allowed here too)';
    }
    // Deliveries carry review data.
    if (url.protocol !== 'https:') return 'callbackUrl: must be an https URL';
    const host = bareHost(url);
    if (isLocalhostName(host)) return 'callbackUrl: must be a public host, not localhost';
    if (isIP(host) === 0) return undefined; // a name: checked once resolved, on every delivery
    const range = refusedRange(host);
    return range === undefined
      ? undefined
      : `callbackUrl: must be a public address (this one is ${range})`;
  }

  /** Whether a delivery may connect to this resolved address. */
  allowsAddress(address: string): boolean {
    return this.options.allowPrivateTargets || refusedRange(address) === undefined;
  }
}
