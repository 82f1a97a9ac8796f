import { ConflictError, LimitReachedError, NotFoundError, ValidationError } from '../errors.js';
import {
  holdsDecision,
  lastDecisionRef,
  type WebhookDeliver,
  webhookDeliverSchema,
  type WebhookFanout,
} from '../model/queue-message.js';
import type { Review } from '../model/review.js';
import { type ReviewNotification, reviewSnapshot } from '../model/review-event.js';
import {
  redactedUrl,
  type ReviewEventType,
  type Subscription,
  type SubscriptionFilter,
  wants,
} from '../model/subscription.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ReviewStore } from '../ports/review-store.js';
import type { SubscriptionStore } from '../ports/subscription-store.js';
import type { WebhookAnswer, WebhookSender, WebhookTargets } from '../ports/webhook-sender.js';
import { runOnce } from './run-once.js';

// Webhooks (the `subscriptions` table): a review event fans out to one delivery message per
// subscriber, each attempt a ledger effect (docs/decisions.md "Webhooks"). Failures back off; a
// subscriber that keeps failing or answers 410 Gone is disabled. A refused target
// (WEBHOOK_ALLOW_PRIVATE_TARGETS) is turned away at subscribe by URL, else at delivery once
// resolved.

export interface WebhookPolicy {
  /** Delay before the second attempt; each later attempt waits twice as long (capped at an hour). */
  readonly retryBaseMs: number;
  /** Attempts per delivery, the first included. */
  readonly maxAttempts: number;
  /** Consecutive failed attempts (across deliveries) after which a subscription is disabled. */
  readonly maxConsecutiveFailures: number;
}

export const defaultWebhookPolicy: WebhookPolicy = {
  retryBaseMs: 30_000,
  maxAttempts: 8,
  maxConsecutiveFailures: 5,
};

const MAX_BACKOFF_MS = 60 * 60_000;

export interface SubscribeDeps {
  readonly subscriptions: SubscriptionStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** Fresh, unguessable values: core has no randomness of its own. */
  readonly newId: () => string;
  readonly newSecret: () => string;
  /**
   * The deployment's shared signing key (WEBHOOK_SIGNING_SECRET). Set, it signs every subscription
   * that brought no key of its own; unset, each subscription gets a generated key.
   */
  readonly webhookSigningSecret: string | undefined;
  /** Which callbacks deliveries may reach (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  readonly targets: WebhookTargets;
  /** WEBHOOK_MAX_SUBSCRIPTIONS: active subscriptions allowed at once. */
  readonly maxSubscriptions: number;
}

export interface SubscribeInput {
  readonly event: ReviewEventType;
  readonly callbackUrl: string;
  readonly filter?: SubscriptionFilter | undefined;
  readonly secret?: string | undefined;
}

/**
 * Creates a subscription. The answer carries its own signing key when it has one (given, or generated
 * because no shared key is configured): the only time that key is shown.
 */
export async function subscribe(deps: SubscribeDeps, input: SubscribeInput): Promise<Subscription> {
  let url: URL;
  try {
    url = new URL(input.callbackUrl);
  } catch {
    throw new ValidationError('Subscription', ['callbackUrl: not a URL']);
  }
  const refusal = deps.targets.refusal(url);
  if (refusal !== undefined) throw new ValidationError('Subscription', [refusal]);
  // Counted before the create, so two at once may both pass at the last place: a bound, not a fence.
  if ((await deps.subscriptions.countActive()) >= deps.maxSubscriptions) {
    throw new LimitReachedError(
      `Subscription: at most ${deps.maxSubscriptions} live subscriptions are allowed; delete one first`,
      { details: { limit: deps.maxSubscriptions } },
    );
  }
  const secret =
    input.secret ?? (deps.webhookSigningSecret === undefined ? deps.newSecret() : undefined);
  const subscription: Subscription = {
    id: deps.newId(),
    event: input.event,
    callbackUrl: url.toString(),
    ...(input.filter?.rule === undefined ? {} : { rule: input.filter.rule }),
    ...(input.filter?.galleryId === undefined ? {} : { galleryId: input.filter.galleryId }),
    ...(secret === undefined ? {} : { secret }),
    status: 'active',
    consecutiveFailures: 0,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.subscriptions.create(subscription);
  await deps.audit.append({
    at: subscription.createdAt,
    kind: 'webhook.subscribed',
    subject: subscription.id,
    summary: `Subscription to ${subscription.event} for ${redactedUrl(subscription.callbackUrl)}`,
    data: { subscriptionId: subscription.id, event: subscription.event },
  });
  return subscription;
}

export async function unsubscribe(
  deps: Pick<SubscribeDeps, 'subscriptions' | 'clock' | 'audit'>,
  id: string,
): Promise<void> {
  if (!(await deps.subscriptions.delete(id))) throw new NotFoundError('Subscription', id);
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    kind: 'webhook.unsubscribed',
    subject: id,
    summary: `Subscription ${id} deleted`,
    data: { subscriptionId: id },
  });
}

/**
 * The id of an event, the same however often the step that raises it runs: a review opens once, is
 * decided once per decision (its place in the history), and runs late once per due date.
 */
export function reviewEventId(event: ReviewEventType, review: Review): string {
  switch (event) {
    case 'review.opened':
      return `review.opened:${review.id}`;
    case 'review.decided':
      return `review.decided:${review.id}:d${review.decisions.length}`;
    case 'review.overdue':
      return `review.overdue:${review.id}:${review.dueAt}`;
  }
}

/**
 * Queues an event with the review as it stands; cheap and idempotent. `review.decided` rides on the
 * decision's `review.sync`, queued before the save; the fan-out checks the decision was stored.
 */
export async function publishReviewEvent(
  deps: { readonly queue: EventQueue; readonly clock: Clock },
  event: ReviewEventType,
  review: Review,
): Promise<void> {
  await deps.queue.enqueue(reviewEventMessage(event, review, deps.clock.now()));
}

/** The fan-out message for `event` on `review` as it stands, naming its last decision if decided. */
export function reviewEventMessage(
  event: ReviewEventType,
  review: Review,
  now: Date,
): WebhookFanout {
  const decision = event === 'review.decided' ? lastDecisionRef(review) : undefined;
  return {
    type: 'webhook.fanout',
    id: reviewEventId(event, review),
    event,
    reviewId: review.id,
    occurredAt: now.toISOString(),
    review: reviewSnapshot(review),
    ...(decision === undefined ? {} : { decision }),
  };
}

export interface WebhookDeps {
  readonly subscriptions: SubscriptionStore;
  readonly reviews: ReviewStore;
  /** The `webhooks` queue: one message per delivery attempt, consumed by `deliverWebhook`. */
  readonly webhookQueue: EventQueue;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditLog;
  readonly webhooks: WebhookSender;
  readonly webhookPolicy: WebhookPolicy;
  readonly webhookSigningSecret: string | undefined;
  readonly links: { reviewUrl(reviewId: string): string };
}

/** How long an announced decision may take to appear in the store before it is taken as never saved. */
export const DECISION_SAVE_WINDOW_MS = 60_000;

/** Whether the decision an announcement names is the one stored at its place in the history. */
async function isDecisionSaved(
  deps: WebhookDeps,
  message: WebhookFanout,
  decision: NonNullable<WebhookFanout['decision']>,
): Promise<boolean> {
  const stored = await deps.reviews.get(message.reviewId);
  if (stored !== undefined && stored.review.decisions.length >= decision.number) {
    if (holdsDecision(stored.review, decision)) return true;
    deps.logger.info('decision announcement dropped: another decision was saved in its place', {
      eventId: message.id,
    });
    return false;
  }
  const age = deps.clock.now().getTime() - Date.parse(message.occurredAt);
  // Announced a moment ago: the save may still be on its way. Throwing leaves the message on the
  // queue to come back after its visibility timeout.
  if (age < DECISION_SAVE_WINDOW_MS) {
    throw new ConflictError(`decision ${decision.number} of ${message.reviewId} is not saved yet`);
  }
  deps.logger.info('decision announcement dropped: the decision was never saved', {
    eventId: message.id,
  });
  return false;
}

/**
 * One delivery per active subscription that wants the event and existed when it happened. The first
 * fan-out of an id records the body and queues the deliveries once; a repeat sends nothing new.
 */
export async function fanOut(deps: WebhookDeps, message: WebhookFanout): Promise<number> {
  if (message.decision !== undefined && !(await isDecisionSaved(deps, message, message.decision))) {
    return 0;
  }
  return fanOutSaved(deps, message);
}

/** `fanOut` for an event whose decision (if any) the caller found stored already. */
export async function fanOutSaved(deps: WebhookDeps, message: WebhookFanout): Promise<number> {
  const notification: ReviewNotification = {
    id: message.id,
    event: message.event,
    occurredAt: message.occurredAt,
    review: { ...message.review, reviewUrl: deps.links.reviewUrl(message.reviewId) },
  };
  const { result: body } = await runOnce(deps, `webhook.event:${message.id}`, () =>
    Promise.resolve(JSON.stringify(notification)),
  );
  const happenedAt = Date.parse(message.occurredAt);
  const { result } = await runOnce(deps, `webhook.fanout:${message.id}`, async () => {
    const targets = (await deps.subscriptions.list()).filter(
      (s) => wants(s, message.event, message.review) && Date.parse(s.createdAt) <= happenedAt,
    );
    for (const subscription of targets) {
      await deps.webhookQueue.enqueue({
        type: 'webhook.deliver',
        id: `${message.id}>${subscription.id}#1`,
        eventId: message.id,
        subscriptionId: subscription.id,
        attempt: 1,
        body,
      });
    }
    return String(targets.length);
  });
  return Number(result);
}

const backoffMs = (policy: WebhookPolicy, attempt: number): number =>
  Math.min(MAX_BACKOFF_MS, policy.retryBaseMs * 2 ** (attempt - 1));

export type AttemptOutcome = 'delivered' | 'failed' | 'refused' | 'gone' | 'skipped';

/** One attempt; a failed one queues the next after its backoff, until the attempts run out. */
export async function deliver(deps: WebhookDeps, message: WebhookDeliver): Promise<AttemptOutcome> {
  const { result } = await runOnce(deps, `webhook.attempt:${message.id}`, async () => {
    const stored = await deps.subscriptions.get(message.subscriptionId);
    if (stored === undefined || stored.subscription.status !== 'active') return 'skipped';
    const subscription = stored.subscription;
    const secret = subscription.secret ?? deps.webhookSigningSecret;
    const answer: WebhookAnswer =
      secret === undefined
        ? // Sending unsigned would teach receivers to accept unsigned calls: count it as a failure.
          {
            kind: 'failed',
            status: undefined,
            reason: 'no signing secret (WEBHOOK_SIGNING_SECRET)',
          }
        : await deps.webhooks.send({
            url: subscription.callbackUrl,
            event: subscription.event,
            deliveryId: message.eventId,
            attempt: message.attempt,
            body: message.body,
            secret,
          });
    await recordAnswer(deps, subscription.id, answer);
    const fields = {
      subscriptionId: subscription.id,
      eventId: message.eventId,
      attempt: message.attempt,
      status: answer.kind === 'refused' ? 0 : (answer.status ?? 0),
      // Coarse (timed out, unreachable, address not allowed): the operator's, never the subscriber's.
      ...(answer.kind === 'failed' || answer.kind === 'refused' ? { reason: answer.reason } : {}),
    };
    if (answer.kind === 'delivered') deps.logger.info('webhook delivered', fields);
    else deps.logger.warn(`webhook ${answer.kind}`, fields);
    if (answer.kind === 'refused') {
      await deps.audit.append({
        at: deps.clock.now().toISOString(),
        kind: 'webhook.refused',
        subject: subscription.id,
        summary: `Delivery ${message.attempt} of ${message.eventId} to ${redactedUrl(subscription.callbackUrl)} refused: the callback is not an allowed target`,
        data: { subscriptionId: subscription.id, eventId: message.eventId },
        key: `webhook.refused:${message.id}`,
      });
    }
    return answer.kind;
  });
  const outcome = result as AttemptOutcome;
  // A refused target may be allowed later (its name fixed, the rule relaxed): retried like a failure.
  if (outcome === 'failed' || outcome === 'refused') {
    const current = await deps.subscriptions.get(message.subscriptionId);
    const isActive = current?.subscription.status === 'active';
    if (isActive && message.attempt < deps.webhookPolicy.maxAttempts) {
      const attempt = message.attempt + 1;
      await deps.webhookQueue.enqueue(
        { ...message, id: `${message.eventId}>${message.subscriptionId}#${attempt}`, attempt },
        { delayMs: backoffMs(deps.webhookPolicy, message.attempt) },
      );
    } else if (isActive) {
      await deps.audit.append({
        at: deps.clock.now().toISOString(),
        kind: 'webhook.abandoned',
        subject: message.subscriptionId,
        summary: `Gave up delivering ${message.eventId} after ${message.attempt} attempts`,
        data: { subscriptionId: message.subscriptionId, eventId: message.eventId },
      });
    }
  }
  return outcome;
}

/**
 * What the subscriber may read of the last failure: the status of an answer, or that the target was
 * refused; never why no answer came, which would tell a closed port from a filtered one.
 */
function lastFailure(answer: WebhookAnswer): string {
  if (answer.kind === 'refused') return ' (last: refused)';
  return answer.status === undefined ? '' : ` (last: HTTP ${answer.status})`;
}

/** Counts the attempt on the subscription, disabling it when the subscriber is gone or keeps failing. */
async function recordAnswer(deps: WebhookDeps, id: string, answer: WebhookAnswer): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const stored = await deps.subscriptions.get(id);
    if (stored === undefined) return;
    const s = stored.subscription;
    const now = deps.clock.now().toISOString();
    const failures = answer.kind === 'delivered' ? 0 : s.consecutiveFailures + 1;
    const disable =
      answer.kind === 'gone'
        ? `the subscriber answered ${answer.status} (gone)`
        : answer.kind !== 'delivered' && failures >= deps.webhookPolicy.maxConsecutiveFailures
          ? `${failures} failed deliveries in a row${lastFailure(answer)}`
          : undefined;
    const status = answer.kind === 'refused' ? undefined : answer.status;
    const { lastStatus: _, ...rest } = s;
    const next: Subscription = {
      ...rest,
      consecutiveFailures: failures,
      lastDeliveryAt: now,
      lastOutcome: answer.kind === 'gone' ? 'failed' : answer.kind,
      ...(status === undefined ? {} : { lastStatus: status }),
      ...(disable === undefined ? {} : { status: 'disabled', disabledReason: disable }),
    };
    try {
      await deps.subscriptions.save(next, stored.version);
    } catch (e: unknown) {
      if (e instanceof ConflictError) continue; // another delivery counted at the same moment
      throw e;
    }
    if (disable !== undefined && s.status === 'active') {
      deps.logger.warn('webhook subscription disabled', { subscriptionId: id, reason: disable });
      await deps.audit.append({
        at: now,
        kind: 'webhook.disabled',
        subject: id,
        summary: `Subscription ${id} to ${s.event} disabled: ${disable}`,
        data: { subscriptionId: id },
      });
    }
    return;
  }
  throw new ConflictError(`subscription ${id} kept changing while a delivery was counted`);
}

/** The `deliverWebhook` worker: one message of the webhooks queue, one delivery attempt. */
export async function handleWebhookMessage(
  deps: WebhookDeps,
  message: unknown,
): Promise<{ readonly id: string; readonly outcome: AttemptOutcome }> {
  const parsed = webhookDeliverSchema.safeParse(message);
  if (!parsed.success) {
    throw ValidationError.fromZod('Webhook queue message is not understood', parsed.error);
  }
  return { id: parsed.data.id, outcome: await deliver(deps, parsed.data) };
}
