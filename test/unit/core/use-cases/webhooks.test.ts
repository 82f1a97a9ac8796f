import { describe, expect, it } from 'vitest';

import { WebhookTargetPolicy } from '../../../../connectors/webhooks/webhook-targets.js';
import { ConflictError, LimitReachedError, ValidationError } from '../../../../core/errors.js';
import type { WebhookFanout } from '../../../../core/model/queue-message.js';
import type { Review } from '../../../../core/model/review.js';
import type { WebhookAnswer } from '../../../../core/ports/webhook-sender.js';
import { reviewNotificationSchema } from '../../../../core/model/review-event.js';
import { decideReview } from '../../../../core/use-cases/decide-review.js';
import {
  DECISION_SAVE_WINDOW_MS,
  fanOut,
  handleWebhookMessage,
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
import { aDecision, anAsset, aReview, aReviewer } from '../../../support/review-builders.js';
import { refusedCallbacks } from '../../../support/refused-callbacks.js';

const SHARED_KEY = 'the-deployment-signing-key-0001';

function world(
  options: {
    readonly policy?: Partial<WebhookPolicy>;
    readonly sharedSecret?: string;
    readonly allowPrivateTargets?: boolean;
    readonly maxSubscriptions?: number;
  } = {},
) {
  const clock = new FixedClock();
  /** The events queue: what publishing writes to, and the fan-out reads. */
  const queue = new InMemoryEventQueue(() => clock.now().getTime());
  const reviews = new InMemoryReviewStore();
  const review = aReview();
  reviews.given(review);
  let ids = 0;
  const deps: WebhookDeps & { readonly queue: InMemoryEventQueue } = {
    subscriptions: new InMemorySubscriptionStore(),
    reviews,
    queue,
    webhookQueue: new InMemoryEventQueue(() => clock.now().getTime()),
    ledger: new InMemoryEffectLedger(),
    clock,
    logger: new RecordingLogger(),
    audit: new InMemoryAuditLog(),
    webhooks: new ScriptedWebhookSender(),
    webhookPolicy: {
      retryBaseMs: 10_000,
      maxAttempts: 4,
      maxConsecutiveFailures: 3,
      ...options.policy,
    },
    webhookSigningSecret: options.sharedSecret,
    links: { reviewUrl: (id) => `https://lightdesk.example.com/api/tab/?review=${id}` },
  };
  const sender = deps.webhooks as ScriptedWebhookSender;
  const audit = deps.audit as InMemoryAuditLog;
  const subscribeDeps = {
    ...deps,
    newId: () => `sub-${(ids += 1)}`,
    newSecret: () => `generated-secret-number-${ids}`,
    // The rule the deployment runs with: the real one, it is pure.
    targets: new WebhookTargetPolicy({ allowPrivateTargets: options.allowPrivateTargets ?? false }),
    maxSubscriptions: options.maxSubscriptions ?? 100,
  };

  /**
   * Works both queues as processEvent and deliverWebhook do, until nothing is visible now; returns
   * the delivery attempts' outcomes.
   */
  async function work(): Promise<string[]> {
    const outcomes: string[] = [];
    for (;;) {
      const events = await queue.receive(16, 30_000);
      for (const message of events) {
        const body = JSON.parse(message.body) as { type: string; announce?: WebhookFanout };
        // A decision's announcement rides on its review.sync; processEvent hands it to fanOut as
        // here (the rest of the sync is not this test's).
        if (body.type === 'webhook.fanout') await fanOut(deps, body as WebhookFanout);
        if (body.type === 'review.sync' && body.announce !== undefined) {
          await fanOut(deps, body.announce);
        }
        await queue.complete(message);
      }
      const attempts = await deps.webhookQueue.receive(16, 30_000);
      for (const message of attempts) {
        outcomes.push((await handleWebhookMessage(deps, JSON.parse(message.body))).outcome);
        await deps.webhookQueue.complete(message);
      }
      if (events.length === 0 && attempts.length === 0) return outcomes;
    }
  }
  /** A subscription to review.opened at `callbackUrl`, its attempts answered in turn, and the opening published. */
  async function subscribeAndOpen(callbackUrl: string, ...answers: WebhookAnswer[]) {
    const subscription = await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl });
    sender.answer(callbackUrl, ...answers);
    await publishReviewEvent(deps, 'review.opened', review);
    return subscription;
  }

  return {
    deps,
    clock,
    queue,
    reviews,
    review,
    sender,
    audit,
    subscribeDeps,
    work,
    subscribeAndOpen,
  };
}

/** The review with one more decision saved in it, as decideReview would leave it. */
function decided(review: Review, minutes: number): Review {
  return {
    ...review,
    status: 'approved',
    decisions: [...review.decisions, aDecision(aReviewer(1), 'approve', { minutes })],
    cardVersion: review.cardVersion + 1,
  };
}

describe('webhook subscriptions', () => {
  it('refuses, without private targets, every callback that is not https to a public address', async () => {
    const { deps, subscribeDeps } = world();
    for (const callbackUrl of refusedCallbacks) {
      const attempt = subscribe(subscribeDeps, { event: 'review.opened', callbackUrl });
      await expect(attempt, callbackUrl).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt, callbackUrl).rejects.toThrow(/callbackUrl: must be/);
    }
    expect(await deps.subscriptions.list()).toEqual([]);

    // Public addresses, and names (checked again whenever a delivery resolves them).
    for (const callbackUrl of [
      'https://prod-01.westeurope.logic.azure.com/workflows/abc?sig=x',
      'https://93.184.215.14/hook',
      'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook',
    ]) {
      const created = await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl });
      expect(created).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    }
  });

  it('with private targets allowed (the local host), takes plain http to any host', async () => {
    const { subscribeDeps } = world({ allowPrivateTargets: true });
    for (const callbackUrl of ['http://127.0.0.1:9000/hook', 'http://flows.example/x']) {
      const created = await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl });
      expect(created.status).toBe('active');
    }
    await expect(
      subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: 'ftp://flows.example/x' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps at most the allowed number of live subscriptions; the next waits until one goes', async () => {
    const { deps, subscribeDeps } = world({ maxSubscriptions: 3 });
    const made = [];
    for (const n of [1, 2, 3]) {
      made.push(
        await subscribe(subscribeDeps, {
          event: 'review.opened',
          callbackUrl: `https://a.example/${n}`,
        }),
      );
    }
    const fourth = { event: 'review.opened', callbackUrl: 'https://a.example/4' } as const;
    await expect(subscribe(subscribeDeps, fourth)).rejects.toBeInstanceOf(LimitReachedError);
    await expect(subscribe(subscribeDeps, fourth)).rejects.toThrow(/at most 3/);
    expect(await deps.subscriptions.list()).toHaveLength(3);

    // A disabled subscription no longer counts, nor does a deleted one.
    const stored = await deps.subscriptions.get(made[0]?.id ?? '');
    if (stored === undefined) throw new TypeError('the first subscription is gone');
    await deps.subscriptions.save({ ...stored.subscription, status: 'disabled' }, stored.version);
    await subscribe(subscribeDeps, fourth);
    await expect(subscribe(subscribeDeps, fourth)).rejects.toBeInstanceOf(LimitReachedError);
    await unsubscribe(deps, made[1]?.id ?? '');
    expect((await subscribe(subscribeDeps, fourth)).status).toBe('active');
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

  it('gives each subscription its own key when no shared key is configured', async () => {
    const { subscribeDeps } = world();
    const first = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/1',
    });
    const second = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/2',
    });
    expect(first.secret).toBeDefined();
    expect(second.secret).toBeDefined();
    expect(first.secret).not.toBe(second.secret);
  });

  it('with a shared key, stores no key of its own unless the subscriber brings one', async () => {
    const { deps, subscribeDeps } = world({ sharedSecret: SHARED_KEY });
    const plain = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/plain',
    });
    const own = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/own',
      secret: 'a-key-the-subscriber-chose',
    });
    expect(plain.secret).toBeUndefined();
    expect((await deps.subscriptions.get(plain.id))?.subscription.secret).toBeUndefined();
    expect((await deps.subscriptions.get(own.id))?.subscription.secret).toBe(
      'a-key-the-subscriber-chose',
    );
  });
});

describe('delivering review events', () => {
  it('sends one delivery to each active subscriber of the event, rule and gallery, none to others', async () => {
    const { deps, review, sender, subscribeDeps, work } = world();
    const to = (path: string) => `https://a.example/${path}`;
    await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: to('all') });
    await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: to('rule'),
      filter: { rule: review.rule },
    });
    await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: to('gallery'),
      filter: { galleryId: review.galleryId, rule: review.rule },
    });
    await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: to('other-rule'),
      filter: { rule: 'Athletics' },
    });
    await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: to('other-gallery'),
      filter: { galleryId: 'G0000another0000' },
    });
    await subscribe(subscribeDeps, { event: 'review.overdue', callbackUrl: to('overdue') });

    await publishReviewEvent(deps, 'review.opened', review);
    expect(await work()).toEqual(['delivered', 'delivered', 'delivered']);
    expect(sender.sent.map((d) => d.url).sort()).toEqual([to('all'), to('gallery'), to('rule')]);
    const body = reviewNotificationSchema.parse(JSON.parse(sender.sent[0]?.body ?? '{}'));
    expect(body).toMatchObject({
      id: `review.opened:${review.id}`,
      event: 'review.opened',
      review: {
        id: review.id,
        reviewUrl: `https://lightdesk.example.com/api/tab/?review=${review.id}`,
      },
    });
    expect(
      sender.sent.every((d) => d.deliveryId === body.id && d.body === sender.sent[0]?.body),
    ).toBe(true);
  });

  it('signs with the subscription key, else the shared key; without either it sends nothing', async () => {
    const shared = world({ sharedSecret: SHARED_KEY });
    const own = await subscribe(shared.subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/own',
      secret: 'a-key-the-subscriber-chose',
    });
    await subscribe(shared.subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://a.example/shared',
    });
    await publishReviewEvent(shared.deps, 'review.opened', shared.review);
    await shared.work();
    expect(shared.sender.sent.map((d) => [d.url, d.secret]).sort()).toEqual([
      ['https://a.example/own', own.secret],
      ['https://a.example/shared', SHARED_KEY],
    ]);

    // Made while a shared key was configured, delivered after it was removed.
    const unset = world();
    const [keyless] = (await shared.deps.subscriptions.list()).filter(
      (s) => s.secret === undefined,
    );
    if (keyless === undefined) throw new TypeError('no subscription without a key');
    await unset.deps.subscriptions.create({ ...keyless, id: 'keyless' });
    await publishReviewEvent(unset.deps, 'review.opened', unset.review);
    expect(await unset.work()).toEqual(['failed']);
    expect(unset.sender.sent).toEqual([]);
    expect((await unset.deps.subscriptions.get('keyless'))?.subscription).toMatchObject({
      consecutiveFailures: 1,
    });
  });

  it('tells a subscriber only of events that happened after it subscribed', async () => {
    const { deps, review, sender, subscribeDeps, clock, work } = world();
    await publishReviewEvent(deps, 'review.opened', review);
    clock.advance(1_000);
    await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: 'https://a.example/h' });
    expect(await work()).toEqual([]);
    expect(sender.sent).toEqual([]);
  });

  it('never sends an attempt twice when its message is delivered again', async () => {
    const { deps, review, sender, subscribeDeps, queue } = world();
    await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: 'https://a.example/h' });
    await publishReviewEvent(deps, 'review.opened', review);
    const [fanout] = await queue.receive(1, 30_000);
    await fanOut(deps, JSON.parse(fanout?.body ?? '{}') as WebhookFanout);
    const [attempt] = await deps.webhookQueue.receive(1, 30_000);
    const message: unknown = JSON.parse(attempt?.body ?? '{}');
    expect((await handleWebhookMessage(deps, message)).outcome).toBe('delivered');
    expect((await handleWebhookMessage(deps, message)).outcome).toBe('delivered'); // redelivery
    expect(sender.sent).toHaveLength(1);
  });

  it('sends one body per event even when the event is announced again with a later state', async () => {
    const { deps, review, sender, subscribeDeps, clock, work } = world();
    await subscribe(subscribeDeps, { event: 'review.opened', callbackUrl: 'https://a.example/h' });
    await publishReviewEvent(deps, 'review.opened', review);
    // A crashed worker's redelivery announces the opening again, after more images joined.
    clock.advance(5_000);
    const grown = { ...review, assets: [...review.assets, anAsset(4)] };
    await publishReviewEvent(deps, 'review.opened', grown);

    expect(await work()).toEqual(['delivered']);
    expect(JSON.parse(sender.sent[0]?.body ?? '{}')).toMatchObject({
      review: { assetCount: review.assets.length },
    });
  });

  it('announces a decision once it is saved, and a decision that lost its save never', async () => {
    const { deps, reviews, review, sender, subscribeDeps, clock, work } = world();
    await subscribe(subscribeDeps, {
      event: 'review.decided',
      callbackUrl: 'https://a.example/decided',
    });
    // A save that lost a race: announced, never stored.
    const lost = decided(review, 30);
    await publishReviewEvent(deps, 'review.decided', lost);
    const [announcement] = await deps.queue.receive(1, 30_000);
    const message = JSON.parse(announcement?.body ?? '{}') as WebhookFanout;
    // Still within the save's window: the message comes back later.
    await expect(fanOut(deps, message)).rejects.toBeInstanceOf(ConflictError);
    clock.advance(DECISION_SAVE_WINDOW_MS);
    expect(await fanOut(deps, message)).toBe(0);
    if (announcement !== undefined) await deps.queue.complete(announcement);

    // The decision that was saved in that place instead is announced under the same id, with its body.
    const saved = decided(review, 31);
    await publishReviewEvent(deps, 'review.decided', saved);
    await reviews.save(saved, (await reviews.get(review.id))?.version ?? '');
    expect(await work()).toEqual(['delivered']);
    const body = reviewNotificationSchema.parse(JSON.parse(sender.sent[0]?.body ?? '{}'));
    expect(body.id).toBe(`review.decided:${review.id}:d1`);
    expect(body.review.lastDecision?.at).toBe(saved.decisions[0]?.at);
  });

  it('drops at once an announcement whose place holds a different decision', async () => {
    const { deps, reviews, review, sender, subscribeDeps, work } = world();
    await subscribe(subscribeDeps, {
      event: 'review.decided',
      callbackUrl: 'https://a.example/decided',
    });
    // The same reviewer pressed Approve and Archive at the same moment; Archive was saved.
    const approve = decided(review, 30);
    const archive: Review = {
      ...approve,
      status: 'archived',
      decisions: [aDecision(aReviewer(1), 'archive', { minutes: 30 })],
    };
    await publishReviewEvent(deps, 'review.decided', approve);
    await publishReviewEvent(deps, 'review.decided', archive);
    await reviews.save(archive, (await reviews.get(review.id))?.version ?? '');

    expect(await work()).toEqual(['delivered']);
    expect(sender.sent).toHaveLength(1);
    expect(JSON.parse(sender.sent[0]?.body ?? '{}')).toMatchObject({
      review: { status: 'archived', lastDecision: { verb: 'archive' } },
    });
  });

  it('queues the decision announcement before the decision is saved', async () => {
    const { deps, review, sender, subscribeDeps, work } = world();
    await subscribe(subscribeDeps, {
      event: 'review.decided',
      callbackUrl: 'https://a.example/decided',
    });
    const press = {
      reviewerId: review.reviewers[0]?.id ?? '',
      verb: 'approve',
      source: 'api',
    } as const;
    // The queue is down: the decision is refused rather than saved without its announcement.
    deps.queue.failNextEnqueue = new Error('queue unavailable');
    await expect(decideReview(deps, review.id, press)).rejects.toThrow('queue unavailable');
    expect((await deps.reviews.get(review.id))?.review.decisions).toEqual([]);

    const result = await decideReview(deps, review.id, press);
    expect(result.kind).toBe('decided');
    expect(await work()).toEqual(['delivered']);
    expect(JSON.parse(sender.sent[0]?.body ?? '{}')).toMatchObject({
      event: 'review.decided',
      review: { status: 'approved', lastDecision: { verb: 'approve' } },
    });
  });

  it('retries with doubling delays, then gives up and says so in the audit', async () => {
    const { deps, review, sender, subscribeDeps, work, clock, audit } = world({
      policy: { maxConsecutiveFailures: 10 },
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
    expect(new Set(sender.sent.map((d) => d.deliveryId)).size).toBe(1);
    expect(audit.entries.map((e) => e.kind)).toContain('webhook.abandoned');
    clock.advance(3_600_000);
    expect(await work()).toEqual([]);
  });

  it('disables a subscriber after the failures in a row the policy allows; a success resets the count', async () => {
    const { deps, review, sender, work, clock, audit, subscribeAndOpen } = world();
    const s = await subscribeAndOpen(
      'https://a.example/h',
      { kind: 'failed', status: 500, reason: 'HTTP 500' },
      { kind: 'delivered', status: 202 },
    );
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
      await deps.webhookQueue.enqueue({
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
    // The subscriber learns that no answer came, never why (timed out, refused connection, DNS).
    expect(stored?.disabledReason).toBe('3 failed deliveries in a row');
    expect(stored).toMatchObject({ lastOutcome: 'failed' });
    expect(stored).not.toHaveProperty('lastStatus');
    expect(audit.entries.filter((e) => e.kind === 'webhook.disabled')).toHaveLength(1);
    // Disabled: later events skip it without a call.
    const before = sender.sent.length;
    await publishReviewEvent(deps, 'review.opened', { ...review, id: `${review.id}-next` });
    await work();
    expect(sender.sent.length).toBe(before);
  });

  it('disables at once when the subscriber answers 410 Gone', async () => {
    const { deps, work, subscribeAndOpen } = world();
    const s = await subscribeAndOpen('https://a.example/h', { kind: 'gone', status: 410 });
    expect(await work()).toEqual(['gone']);
    expect((await deps.subscriptions.get(s.id))?.subscription.status).toBe('disabled');
  });

  it('keeps how the last attempt went: delivered, failed with the status when one came, refused', async () => {
    const { deps, work, clock, subscribeAndOpen } = world({
      policy: { maxConsecutiveFailures: 10 },
    });
    const s = await subscribeAndOpen(
      'https://a.example/h',
      { kind: 'failed', status: 503, reason: 'HTTP 503' },
      { kind: 'failed', status: undefined, reason: 'unreachable' },
      { kind: 'refused', reason: 'address not allowed' },
      { kind: 'delivered', status: 202 },
    );
    const seen = [];
    for (const wait of [0, 10_000, 20_000, 40_000]) {
      clock.advance(wait);
      await work();
      const stored = (await deps.subscriptions.get(s.id))?.subscription;
      seen.push([stored?.lastOutcome, stored?.lastStatus, stored?.consecutiveFailures]);
    }
    expect(seen).toEqual([
      ['failed', 503, 1],
      ['failed', undefined, 2],
      ['refused', undefined, 3], // counted like a failure, and retried like one
      ['delivered', 202, 0],
    ]);
  });

  it('disables a subscriber whose callback keeps being refused, saying only that, in its state and the audit', async () => {
    const { deps, review, sender, subscribeDeps, work, clock, audit } = world();
    const s = await subscribe(subscribeDeps, {
      event: 'review.opened',
      callbackUrl: 'https://rebound.example/h',
    });
    sender.answerAlways('https://rebound.example/h', {
      kind: 'refused',
      reason: 'address not allowed',
    });
    await publishReviewEvent(deps, 'review.opened', review);
    const outcomes = [...(await work())];
    for (const wait of [10_000, 20_000, 40_000]) {
      clock.advance(wait);
      outcomes.push(...(await work()));
    }
    // Disabled at the third: no further attempt is queued.
    expect(outcomes).toEqual(['refused', 'refused', 'refused']);
    const stored = (await deps.subscriptions.get(s.id))?.subscription;
    expect(stored).toMatchObject({
      status: 'disabled',
      consecutiveFailures: 3,
      lastOutcome: 'refused',
      disabledReason: '3 failed deliveries in a row (last: refused)',
    });
    expect(audit.entries.filter((e) => e.kind === 'webhook.refused')).toHaveLength(3);
    expect(audit.entries.filter((e) => e.kind === 'webhook.disabled')).toHaveLength(1);
    const readable = JSON.stringify([stored, audit.entries]);
    expect(readable).not.toMatch(/address not allowed|unreachable|timed out/);
  });

  it('never tells the subscriber a connect-level reason, not even when disabling it', async () => {
    const { deps, work, clock, audit, subscribeAndOpen } = world();
    const s = await subscribeAndOpen(
      'https://a.example/h',
      { kind: 'failed', status: 403, reason: 'HTTP 403' },
      { kind: 'failed', status: undefined, reason: 'timed out' },
      { kind: 'failed', status: undefined, reason: 'unreachable' },
    );
    await work();
    for (const wait of [10_000, 20_000]) {
      clock.advance(wait);
      await work();
    }
    const stored = (await deps.subscriptions.get(s.id))?.subscription;
    expect(stored).toMatchObject({ status: 'disabled', lastOutcome: 'failed' });
    expect(stored?.disabledReason).toBe('3 failed deliveries in a row');
    expect(JSON.stringify([stored, audit.entries])).not.toMatch(/unreachable|timed out/);
  });

  it('refuses a message on the webhooks queue that is not a delivery', async () => {
    const { deps } = world();
    await expect(handleWebhookMessage(deps, { type: 'review.sync' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
