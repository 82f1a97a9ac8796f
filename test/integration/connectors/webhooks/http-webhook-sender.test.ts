import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HttpWebhookSender } from '../../../../connectors/webhooks/http-webhook-sender.js';
import type { WebhookDelivery } from '../../../../core/ports/webhook-sender.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { type Answer, WebhookReceiver } from '../../../support/webhook-receiver.js';

// The delivery connector against a real subscriber on 127.0.0.1: what it sends, how it signs, and
// what each kind of answer means for the queue.

/** Answers by path: `/status/NNN` with that status, `/slow` never within the timeout. */
function answerByPath(path: string): Answer {
  if (path === '/slow') return 'hang'; // the sender's timeout decides
  const status = Number(/^\/status\/(\d{3})/.exec(path)?.[1] ?? 200);
  return status === 302
    ? { status, headers: { location: 'https://elsewhere.example/' } }
    : { status };
}

describe('HttpWebhookSender against a loopback subscriber', () => {
  const subscriber = new WebhookReceiver(answerByPath);
  const clock = new FixedClock('2026-11-23T12:00:00.000Z');
  const sender = new HttpWebhookSender({ clock, timeoutMs: 300 });
  const body = JSON.stringify({ id: 'review.opened:G0000aaaaaaaaaaa~1', event: 'review.opened' });
  const delivery = (path: string): WebhookDelivery => ({
    url: `${subscriber.url}${path}`,
    event: 'review.opened',
    deliveryId: 'review.opened:G0000aaaaaaaaaaa~1',
    attempt: 2,
    body,
    secret: 'the-subscription-key-0001',
  });

  beforeAll(() => subscriber.start());
  afterAll(() => subscriber.stop());

  it('POSTs the body as JSON with the event, delivery id, attempt, timestamp and signature', async () => {
    expect(await sender.send(delivery('/status/202'))).toEqual({ kind: 'delivered', status: 202 });
    const got = subscriber.received.at(-1);
    expect(got?.body).toBe(body);
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-lightdesk-event': 'review.opened',
      'x-lightdesk-delivery': 'review.opened:G0000aaaaaaaaaaa~1',
      'x-lightdesk-attempt': '2',
      'x-lightdesk-timestamp': String(Date.parse('2026-11-23T12:00:00.000Z') / 1000),
    });
    // What a receiver recomputes: HMAC-SHA256 of "<timestamp>.<raw body>" with its key, hex.
    const expected = createHmac('sha256', 'the-subscription-key-0001')
      .update(`${String(got?.headers['x-lightdesk-timestamp'])}.${got?.body ?? ''}`)
      .digest('hex');
    expect(got?.headers['x-lightdesk-signature']).toBe(`sha256=${expected}`);
    // The key itself never travels.
    expect(JSON.stringify(got?.headers)).not.toContain('the-subscription-key-0001');
  });

  it('says gone on 410, so the subscription is disabled at once', async () => {
    expect(await sender.send(delivery('/status/410'))).toEqual({ kind: 'gone', status: 410 });
  });

  it('counts 5xx, 429, other 4xx and redirects as failures worth another attempt', async () => {
    for (const status of [500, 503, 429, 404, 302]) {
      expect(await sender.send(delivery(`/status/${status}`))).toEqual({
        kind: 'failed',
        status,
        reason: `HTTP ${status}`,
      });
    }
    // A redirect is not followed: the subscriber named its URL when it subscribed.
    expect(subscriber.received.filter((r) => r.path === '/status/302')).toHaveLength(1);
  });

  it('fails a subscriber that does not answer in time, or cannot be reached', async () => {
    expect(await sender.send(delivery('/slow'))).toEqual({
      kind: 'failed',
      status: undefined,
      reason: 'timed out',
    });
    expect(await sender.send({ ...delivery('/'), url: 'http://127.0.0.1:1/hook' })).toEqual({
      kind: 'failed',
      status: undefined,
      reason: 'unreachable',
    });
  });
});
