import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

import type { Clock } from '../../core/ports/clock.js';
import type {
  WebhookAnswer,
  WebhookDelivery,
  WebhookSender,
} from '../../core/ports/webhook-sender.js';
import { bareHost, WebhookTargetPolicy } from './webhook-targets.js';

export interface HttpWebhookSenderOptions {
  readonly clock: Clock;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: plain http and loopback/private addresses are fine. */
  readonly allowPrivateTargets: boolean;
  /** Every address of a host name; default the system resolver (dns.lookup, all of them). */
  readonly resolve?: (hostname: string) => Promise<readonly string[]>;
  /** A subscriber gets this long to answer (default 10 s); Power Automate answers 202 at once. */
  readonly timeoutMs?: number;
  /** Certificates to trust instead of Node's bundled roots (tests' self-signed subscribers). */
  readonly ca?: string;
}

/**
 * HMAC-SHA256 hex of `{timestamp}.{body}` with the subscription's secret, as `sha256=…` (Stripe's
 * and GitHub's scheme: the timestamp lets a receiver refuse old replays).
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const systemResolve = async (hostname: string): Promise<readonly string[]> =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** Where to connect: the checked address, or why there is none. */
type Target =
  { readonly address: string } | { readonly refused: string } | { readonly failed: string };

/** Why a request got no answer, coarsely: logs only (see WebhookAnswer). */
function noAnswerReason(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'timed out';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /CERT|TLS|SSL|ALTNAME/.test(code)
    ? 'tls failed'
    : 'unreachable';
}

/**
 * POSTs signed deliveries; the answer says what the queue does next. It resolves the name, checks
 * every address and connects to a checked one (no DNS rebinding), and never follows redirects.
 */
export class HttpWebhookSender implements WebhookSender {
  readonly targets: WebhookTargetPolicy;
  private readonly resolve: (hostname: string) => Promise<readonly string[]>;

  constructor(private readonly options: HttpWebhookSenderOptions) {
    this.targets = new WebhookTargetPolicy({ allowPrivateTargets: options.allowPrivateTargets });
    this.resolve = options.resolve ?? systemResolve;
  }

  async send(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    let url: URL;
    try {
      url = new URL(delivery.url);
    } catch {
      return { kind: 'refused', reason: 'not a URL' };
    }
    if (this.targets.refusal(url) !== undefined) {
      return { kind: 'refused', reason: 'callback URL not allowed' };
    }
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.options.timeoutMs ?? 10_000);
    try {
      const target = await Promise.race([this.target(url), aborted(timeout.signal)]);
      if ('refused' in target) return { kind: 'refused', reason: target.refused };
      if ('failed' in target) return { kind: 'failed', status: undefined, reason: target.failed };
      const status = await this.post(url, target.address, delivery, timeout.signal);
      if (typeof status !== 'number') return { kind: 'failed', status: undefined, reason: status };
      if (status >= 200 && status < 300) return { kind: 'delivered', status };
      if (status === 410) return { kind: 'gone', status };
      return { kind: 'failed', status, reason: `HTTP ${status}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Every address must be allowed (docs/decisions.md "Security"); the connection goes to one, IPv4
   * first (outbound IPv6 from Functions is not a given), with no fallback.
   */
  private async target(url: URL): Promise<Target> {
    const host = bareHost(url);
    let addresses: readonly string[];
    if (isIP(host) !== 0) {
      addresses = [host];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch {
        return { failed: 'name did not resolve' };
      }
    }
    if (addresses.length === 0) return { failed: 'name did not resolve' };
    if (!addresses.every((a) => isIP(a) !== 0 && this.targets.allowsAddress(a))) {
      return { refused: 'address not allowed' };
    }
    const [first] = [...addresses].sort((a, b) => isIP(a) - isIP(b));
    return first === undefined ? { failed: 'name did not resolve' } : { address: first };
  }

  /** The status of the answer, or why there was none. */
  private post(
    url: URL,
    address: string,
    delivery: WebhookDelivery,
    signal: AbortSignal,
  ): Promise<number | string> {
    const timestamp = String(Math.floor(this.options.clock.now().getTime() / 1000));
    const host = bareHost(url);
    const https = url.protocol === 'https:';
    return new Promise((resolve) => {
      const options = {
        // The checked address, not the name: nothing resolves it again. Host and SNI keep the name,
        // so virtual hosting works and the certificate is verified against the name.
        host: address,
        port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          host: url.host,
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(delivery.body)),
          'user-agent': 'Lightdesk-Webhooks/1',
          'x-lightdesk-event': delivery.event,
          'x-lightdesk-delivery': delivery.deliveryId,
          'x-lightdesk-attempt': String(delivery.attempt),
          'x-lightdesk-timestamp': timestamp,
          'x-lightdesk-signature': signature(delivery.secret, timestamp, delivery.body),
        },
        // One connection per delivery: never a pooled socket to an address checked for another.
        agent: false as const,
        signal,
      };
      let status: number | undefined;
      const answered = (response: IncomingMessage) => {
        const answer = response.statusCode ?? 0;
        status = answer;
        // The body is not needed; it is read (within the timeout) so the subscriber is not cut off,
        // and once the status is in, a body that fails or runs out of time changes nothing.
        response.on('end', () => resolve(answer));
        response.on('error', () => resolve(answer));
        response.on('close', () => resolve(answer));
        response.resume();
      };
      const request: ClientRequest = https
        ? httpsRequest(
            {
              ...options,
              ...(isIP(host) === 0 ? { servername: host } : {}),
              ...(this.options.ca === undefined ? {} : { ca: this.options.ca }),
            },
            answered,
          )
        : httpRequest(options, answered);
      request.on('error', (e: unknown) => resolve(status ?? noAnswerReason(e, signal.aborted)));
      request.end(delivery.body);
    });
  }
}

/** Settles (as a timeout) once `signal` aborts; never rejects. */
function aborted(signal: AbortSignal): Promise<Target> {
  return new Promise((resolve) => {
    const done = () => resolve({ failed: 'timed out' });
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}
