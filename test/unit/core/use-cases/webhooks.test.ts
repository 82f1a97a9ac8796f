import { describe, expect, it } from 'vitest';

import { ValidationError } from '../../../../core/errors.js';
import type { WebhookDeliver, WebhookFanout } from '../../../../core/model/queue-message.js';
import {
  deliver,
  fanOut,
  publishReviewEvent,
  subscribe,
  unsubscribe,
  type WebhookDeps,
  type WebhookPolicy,
} from '../../../../core/use-cases/webhooks.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryAuditLog } from '../../../doubles/in-memory-audit-log.js';
import { InMemoryEffectLedger } from '../../../doubles/in-memory-effect-ledger.js';
import { InMemoryEventQueue } from '../../../doubles/in-memory-event-queue.js';
import { InMemoryReviewStore } from '../../../doubles/in-memory-review-store.js';
import { InMemorySubscriptionStore } from '../../../doubles/in-memory-subscription-store.js';
import { RecordingLogger } from '../../../doubles/recording-logger.js';
import { ScriptedWebhookSender } from '../../../doubles/scripted-webhook-sender.js';
import { aReview } from '../../../support/review-builders.js';

function world(policy: Partial<WebhookPolicy> = {}) {
  const clock = new FixedClock();
  const queue = new InMemoryEventQueue(() => clock.now().getTime());
  const reviews = new InMemoryReviewStore();
  const review = aReview();
  reviews.given(review);
  let ids = 0;
  const deps: WebhookDeps = {
    subscriptions: new InMemorySubscriptionStore(),
    reviews,
    queue,
    ledger: new InMemoryEffectLedger(),
    clock,
    logger: new RecordingLogger(),
    audit: new InMemoryAuditLog(),
    webhooks: new ScriptedWebhookSender(),
    webhookPolicy: { retryBaseMs: 10_000, maxAttempts: 4, maxConsecutiveFailures: 3, ...policy },
    links: { reviewUrl: (id) => `https://lightdesk.example.com/api/tab/?review=${id}` },
  };
  const sender = deps.webhooks as ScriptedWebhookSender;
  const audit = deps.audit as InMemoryAuditLog;
  const subscribeDeps = {
    ...deps,
    newId: () => `sub-${(ids += 1)}`,
    newSecret: () => 'a-secret-of-sixteen-chars-or-more',
  };

  /** Works the queue as the worker does, until nothing is visible now. */
  async function work(): Promise<string[]> {
    const outcomes: string[] = [];
    for (;;) {
      const batch = await queue.receive(16, 30_000);
      if (batch.length === 0) return outcomes;
      for (const message of batch) {
        const body = JSON.parse(message.body) as WebhookFanout | WebhookDeliver;
        if (body.type === 'webhook.fanout') await fanOut(deps, body);
        else outcomes.push(await deliver(deps, body));
        await queue.complete(message);
      }
    }
  }
  return { deps, clock, queue, review, sender, audit, subscribeDeps, work };
}

describe('webhook subscriptions', () => {
  it('refuses a callback that is not https, except on this machine', async () => {
    const { subscribeDeps } = world();
    await expect(
      subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: 'http://flows.example/x' }),
    ).rejects.toBeInstanceOf(ValidationError);
    const local = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'http://127.0.0.1:9000/hook',
    });
    expect(local).toMatchObject({ status: 'active', consecutiveFailures: 0 });
  });

  it('unsubscribing something unknown is a NotFoundError; an existing one is removed', async () => {
    const { deps, subscribeDeps } = world();
    const s = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/h',
    });
    await unsubscribe(deps, s.id);
    expect(await deps.subscriptions.list()).toEqual([]);
    await expect(unsubscribe(deps, s.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('delivering review events', () => {
  it('sends one delivery to each active subscriber of the event and rule, none to others', async () => {
    const { deps, review, sender, subscribeDeps, work } = world();
    await subscribe(subscribeDeps, {
      event: 'review.decided',
      callbackUrl: 'https://a.example/all',
    });
    await subscribe(subscribeDeps, {
      event: 'review.decided',
      callbackUrl: 'https://a.example/marketing',
      rule: review.rule,
    });
    await subscribe(subscribeDeps, {
      event: 'review.decided',
      callbackUrl: 'https://a.example/other-rule',
      rule: 'Athletics',
    });
    await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/opened',
    });

    await publishReviewEvent(deps, 'review.decided', review);
    expect(await work()).toEqual(['delivered', 'delivered']);
    expect(sender.sent.map((d) => d.url).sort()).toEqual([
      'https://a.example/all',
      'https://a.example/marketing',
    ]);
    const body = JSON.parse(sender.sent[0]?.body ?? '{}') as { id: string; review: { id: string } };
    expect(body.id).toBe(`review.decided:${review.id}:v${review.cardVersion}`);
    expect(sender.sent.every((d) => d.deliveryId === body.id)).toBe(true);
  });

  it('never sends an attempt twice when its message is delivered again', async () => {
    const { deps, review, sender, subscribeDeps, queue } = world();
    await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: 'https://a.example/h' });
    await publishReviewEvent(deps, 'review.opened', review);
    const [fanout] = await queue.receive(1, 30_000);
    await fanOut(deps, JSON.parse(fanout?.body ?? '{}') as WebhookFanout);
    const [attempt] = await queue.receive(1, 30_000);
    const message = JSON.parse(attempt?.body ?? '{}') as WebhookDeliver;
    expect(await deliver(deps, message)).toBe('delivered');
    expect(await deliver(deps, message)).toBe('delivered'); // the queue's redelivery
    expect(sender.sent).toHaveLength(1);
  });

  it('retries with doubling delays, then gives up and says so in the audit', async () => {
    const { deps, review, sender, subscribeDeps, work, clock, audit } = world({
      maxConsecutiveFailures: 10,
    });
    await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/down',
    });
    sender.answerAlways('https://a.example/down', {
      kind: 'failed',
      status: 503,
      reason: 'HTTP 503',
    });
    await publishReviewEvent(deps, 'review.opened', review);

    expect(await work()).toEqual(['failed']);
    // Not visible before its backoff: 10 s, then 20 s, then 40 s.
    for (const wait of [10_000, 20_000, 40_000]) {
      clock.advance(wait - 1);
      expect(await work()).toEqual([]);
      clock.advance(1);
      expect(await work()).toEqual(['failed']);
    }
    expect(sender.sent.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
    expect(audit.entries.map((e) => e.kind)).toContain('webhook.abandoned');
    clock.advance(3_600_000);
    expect(await work()).toEqual([]);
  });

  it('disables a subscriber after the failures in a row the policy allows; a success resets the count', async () => {
    const { deps, review, sender, subscribeDeps, work, clock, audit } = world();
    const s = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/h',
    });
    sender.answer(
      'https://a.example/h',
      { kind: 'failed', status: 500, reason: 'HTTP 500' },
      { kind: 'delivered', status: 202 },
    );
    await publishReviewEvent(deps, 'review.opened', review);
    await work();
    clock.advance(10_000);
    await work();
    expect((await deps.subscriptions.get(s.id))?.subscription.consecutiveFailures).toBe(0);

    sender.answerAlways('https://a.example/h', {
      kind: 'failed',
      status: undefined,
      reason: 'timed out',
    });
    // Three more events, each failing once: the third failure in a row disables the subscription.
    for (const n of [1, 2, 3]) {
      await deps.queue.enqueue({
        type: 'webhook.deliver',
        id: `event-${n}>${s.id}#1`,
        eventId: `event-${n}`,
        subscriptionId: s.id,
        attempt: 1,
        body: '{}',
      });
    }
    expect(await work()).toEqual(['failed', 'failed', 'failed']);
    // The retries queued before it was disabled find it disabled and send nothing.
    clock.advance(60_000);
    expect(await work()).toEqual(['skipped', 'skipped']);
    const stored = (await deps.subscriptions.get(s.id))?.subscription;
    expect(stored).toMatchObject({ status: 'disabled', consecutiveFailures: 3 });
    expect(stored?.disabledReason).toMatch(/3 failed deliveries in a row \(last: timed out\)/);
    expect(audit.entries.filter((e) => e.kind === 'webhook.disabled')).toHaveLength(1);
    // Disabled: later events skip it without a call.
    const before = sender.sent.length;
    await publishReviewEvent(deps, 'review.opened', review);
    await work();
    expect(sender.sent.length).toBe(before);
  });

  it('disables at once when the subscriber answers 410 Gone', async () => {
    const { deps, review, sender, subscribeDeps, work } = world();
    const s = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/h',
    });
    sender.answer('https://a.example/h', { kind: 'gone', status: 410 });
    await publishReviewEvent(deps, 'review.opened', review);
    expect(await work()).toEqual(['gone']);
    expect((await deps.subscriptions.get(s.id))?.subscription.status).toBe('disabled');
  });
});
