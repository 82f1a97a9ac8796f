import { createHmac } from 'node:crypto';

import type { Clock } from '../../core/ports/clock.js';
import type {
  WebhookAnswer,
  WebhookDelivery,
  WebhookSender,
} from '../../core/ports/webhook-sender.js';

export interface HttpWebhookSenderOptions {
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
  /** A subscriber gets this long to answer (default 10 s); Power Automate answers 202 at once. */
  readonly timeoutMs?: number;
}

/**
 * The signature a receiver recomputes: HMAC-SHA256 over `{timestamp}.{body}` with the subscription's
 * secret, hex, as `sha256=…` (the scheme Stripe and GitHub use: the timestamp lets a receiver refuse
 * replays older than a few minutes).
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** POSTs deliveries over HTTP(S), signed; answers say what the queue should do next. */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: HttpWebhookSenderOptions) {}

  async send(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const timestamp = String(Math.floor(this.options.clock.now().getTime() / 1000));
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Lightdesk-Webhooks/1',
          'x-lightdesk-event': delivery.event,
          'x-lightdesk-delivery': delivery.deliveryId,
          'x-lightdesk-attempt': String(delivery.attempt),
          'x-lightdesk-timestamp': timestamp,
          'x-lightdesk-signature': signature(delivery.secret, timestamp, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
    } catch (e: unknown) {
      const reason = e instanceof Error && e.name === 'TimeoutError' ? 'timed out' : 'unreachable';
      return { kind: 'failed', status: undefined, reason };
    }
    if (response.status >= 200 && response.status < 300) {
      return { kind: 'delivered', status: response.status };
    }
    if (response.status === 410) return { kind: 'gone', status: 410 };
    return { kind: 'failed', status: response.status, reason: `HTTP ${response.status}` };
  }
}
