import { ConflictError, ValidationError } from '../errors.js';
import type { LibraryEvent } from '../model/library-event.js';
import { holdsDecision, queueMessageSchema, type ReviewSync } from '../model/queue-message.js';
import { addAssets, isOpen, type Review, type ReviewAsset } from '../model/review.js';
import { type RoutingRule, type RoutingRules, routeFor } from '../model/routing-rules.js';
import type { Directory } from '../ports/directory.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { StoredReview } from '../ports/review-store.js';
import { recordLibraryEvent } from './record-library-event.js';
import { runOnce } from './run-once.js';
import { handleReviewRequested } from './request-review.js';
import { type SyncReviewDeps, syncReview } from './sync-review.js';
import { updateReview } from './update-review.js';
import { deliver, fanOut, fanOutSaved, publishReviewEvent, type WebhookDeps } from './webhooks.js';

export interface HandleQueueMessageDeps extends SyncReviewDeps, WebhookDeps {
  readonly directory: Directory;
  readonly ledger: EffectLedger;
  readonly queue: EventQueue;
  readonly rules: RoutingRules;
  /** The plan of rules that name none (PLANNER_PLAN_ID). */
  readonly defaultPlanId: string | undefined;
  /**
   * How long a review must have gone without new files before a sync that follows uploads writes its
   * task details and card (BATCH_WINDOW_SECONDS; 0 or unset: at once). The Functions host works up to
   * 16 messages side by side, so the last uploads of a batch can still be joining while the first
   * ones' syncs run; held back until the review is quiet, they all see the whole batch, written once.
   */
  readonly batchWindowMs?: number;
}

export type HandleQueueMessageResult =
  | { readonly kind: 'duplicate'; readonly id: string }
  | { readonly kind: 'recorded'; readonly id: string }
  | {
      readonly kind: 'reviewed';
      readonly id: string;
      readonly reviewId: string;
      readonly opened: boolean;
    }
  | { readonly kind: 'synced'; readonly reviewId: string; readonly effects: number }
  /** Queued again to run once the review has gone quiet (`batchWindowMs`). */
  | { readonly kind: 'held'; readonly reviewId: string }
  | { readonly kind: 'requested'; readonly id: string; readonly assets: number }
  | { readonly kind: 'fannedOut'; readonly id: string; readonly deliveries: number }
  | { readonly kind: 'attempted'; readonly id: string; readonly outcome: string };

/** A review id embeds its gallery (the store's partition) and when it opened. */
export function newReviewId(galleryId: string, now: Date): string {
  return `${galleryId}~${now.getTime().toString(36)}`;
}

const maxOpenAttempts = 5;

/** How long a sync queued ahead of its save waits for it (the save follows within milliseconds). */
const saveWindowMs = 60_000;

/**
 * Whether the save a sync was queued ahead of has landed, given the review as stored now. Not yet, and
 * asked a moment ago: the message comes back after its visibility timeout. Never: the request is
 * dropped (whoever saved instead queued their own).
 */
function isVersionSaved(
  deps: HandleQueueMessageDeps,
  message: ReviewSync,
  stored: StoredReview | undefined,
): boolean {
  if (message.atLeastVersion === undefined) return true;
  if (stored !== undefined && stored.review.cardVersion >= message.atLeastVersion) return true;
  const age = deps.clock.now().getTime() - Date.parse(message.requestedAt ?? '');
  if (!(age >= saveWindowMs)) {
    throw new ConflictError(
      `card version ${message.atLeastVersion} of ${message.reviewId} is not saved yet`,
    );
  }
  deps.logger.info('review sync dropped: the version it followed was never saved', {
    reviewId: message.reviewId,
    version: message.atLeastVersion,
  });
  return false;
}

/** A gallery that keeps receiving files is still synced after this many windows. */
const maxHeldWindows = 5;

/**
 * Whether a sync that follows uploads is queued again for later, because the review changed less than
 * the batch window ago: rather than hold a worker while the batch's other uploads join (the Functions
 * host has only so many per instance), its message comes back once the window has passed.
 */
async function heldForBatch(
  deps: HandleQueueMessageDeps,
  message: ReviewSync,
  stored: StoredReview | undefined,
): Promise<boolean> {
  const windowMs = deps.batchWindowMs ?? 0;
  const followsUploads = message.atLeastVersion === undefined && message.decision === undefined;
  if (windowMs <= 0 || !followsUploads || stored === undefined) return false;
  const now = deps.clock.now();
  const quietMs = now.getTime() - Date.parse(stored.review.updatedAt);
  const heldSince = message.heldSince ?? now.toISOString();
  const heldMs = now.getTime() - Date.parse(heldSince);
  if (quietMs >= windowMs || heldMs >= maxHeldWindows * windowMs) return false;
  await deps.queue.enqueue({ ...message, heldSince }, { delayMs: windowMs - quietMs });
  return true;
}

/**
 * The audit entry and announcement of the decision a sync follows, once that decision is found in its
 * place in the review's history. Both are keyed, so a redelivered message appends and announces
 * nothing new. Before the sync itself: Planner being down must not hold up the trail or subscribers.
 */
async function followDecision(
  deps: HandleQueueMessageDeps,
  message: ReviewSync,
  stored: StoredReview | undefined,
): Promise<void> {
  const { decision } = message;
  if (decision === undefined) return;
  if (stored === undefined || !holdsDecision(stored.review, decision)) {
    deps.logger.info('decision follow-ups dropped: another decision was saved in its place', {
      reviewId: message.reviewId,
      decision: decision.number,
    });
    return;
  }
  if (message.audit !== undefined) {
    await deps.audit.append({
      ...message.audit,
      key: `review.decided:${message.reviewId}:d${decision.number}`,
    });
  }
  if (message.announce !== undefined) await fanOutSaved(deps, message.announce);
}

/**
 * The `processEvent` worker (ARCHITECTURE.md §3.2–3.4): records each library event once, routes
 * uploads and replacements to a rule, opens the gallery's review or adds the assets to the open one,
 * and syncs the review's task, card and PhotoShelter status. `review.sync` messages only sync.
 */
export async function handleQueueMessage(
  deps: HandleQueueMessageDeps,
  message: unknown,
): Promise<HandleQueueMessageResult> {
  const parsed = queueMessageSchema.safeParse(message);
  if (!parsed.success)
    throw ValidationError.fromZod('Queue message is not understood', parsed.error);
  const body = parsed.data;

  switch (body.type) {
    case 'review.sync': {
      const stored = await deps.reviews.get(body.reviewId);
      if (!isVersionSaved(deps, body, stored)) {
        return { kind: 'synced', reviewId: body.reviewId, effects: 0 };
      }
      if (await heldForBatch(deps, body, stored)) {
        return { kind: 'held', reviewId: body.reviewId };
      }
      await followDecision(deps, body, stored);
      const result = await syncReview(deps, body.reviewId);
      return { kind: 'synced', reviewId: body.reviewId, effects: result.effects.length };
    }
    case 'review.requested':
      return { kind: 'requested', id: body.id, assets: await handleReviewRequested(deps, body) };
    case 'webhook.fanout':
      return { kind: 'fannedOut', id: body.id, deliveries: await fanOut(deps, body) };
    case 'webhook.deliver':
      return { kind: 'attempted', id: body.id, outcome: await deliver(deps, body) };
    case 'asset.uploaded':
    case 'asset.replaced':
    case 'metadata.changed':
    case 'gallery.shared':
      break; // library events: below
  }

  const recorded = await recordLibraryEvent(deps, body);
  // A redelivered event still continues: the steps below are idempotent, and an earlier delivery may
  // have crashed after recording but before the review was saved.
  if (body.type === 'gallery.shared') {
    return recorded.kind === 'duplicate'
      ? { kind: 'duplicate', id: body.id }
      : { kind: 'recorded', id: body.id };
  }

  const rule = await matchRule(deps, body);
  if (rule === undefined) {
    deps.logger.debug('no routing rule matches', { eventId: body.id, galleryId: body.galleryId });
    return { kind: 'recorded', id: body.id };
  }
  // Which review the event's asset went to is recorded once: a redelivery that arrives after that
  // review was decided must not open another review of the same image (a second task and card, and
  // PhotoShelter's status set back to pending).
  // The result records whether this event opened the review, so a redelivery after a crash still
  // announces the opening (the announcement's id is fixed, so announcing twice sends nothing twice).
  const joined = await runOnce(deps, `review.joined:${body.id}`, async () => {
    const outcome = await openOrExtendReview(deps, body, rule);
    return outcome.opened ? `${outcome.reviewId}|opened` : outcome.reviewId;
  });
  const [reviewId = joined.result, flag] = joined.result.split('|');
  const opened = flag === 'opened';
  if (opened) {
    const stored = await deps.reviews.get(reviewId);
    if (stored !== undefined) await publishReviewEvent(deps, 'review.opened', stored.review);
  }
  // The effects run from the queue, not here: a batch of uploads is handled join by join first, and
  // the syncs queued behind them all see the final card version, so the task details and the card are
  // written once per batch, not once per image (each sync's effects are keyed by that version).
  await deps.queue.enqueue({
    type: 'review.sync',
    id: `review.sync:${reviewId}:${body.id}`.slice(0, 400),
    reviewId,
    reason: `${body.type} ${body.assetId}`,
  });
  return { kind: 'reviewed', id: body.id, reviewId, opened: opened && joined.isFresh };
}

async function matchRule(
  deps: HandleQueueMessageDeps,
  event: Exclude<LibraryEvent, { type: 'gallery.shared' }>,
): Promise<RoutingRule | undefined> {
  const mayMatch = deps.rules.rules.some((r) => r.match.events.includes(event.type));
  if (!mayMatch) return undefined;
  const [path, metadata] = await Promise.all([
    deps.archive.getGalleryPath(event.galleryId),
    deps.archive.getAssetMetadata(event.assetId),
  ]);
  return routeFor(deps.rules, {
    eventType: event.type,
    path,
    assets: [
      {
        keywords: metadata.keywords,
        metadata: {
          caption: metadata.caption,
          headline: metadata.headline,
          title: metadata.title,
          author: metadata.author,
          credit: metadata.credit,
          copyright: metadata.copyright,
        },
      },
    ],
  });
}

async function openOrExtendReview(
  deps: HandleQueueMessageDeps,
  event: Exclude<LibraryEvent, { type: 'gallery.shared' }>,
  rule: RoutingRule,
): Promise<{ reviewId: string; opened: boolean }> {
  const now = deps.clock.now();
  const link = await deps.archive.getDisplayLink(event.assetId, { width: 300, height: 300 });
  const asset: ReviewAsset = {
    assetId: event.assetId,
    fileName: event.file.fileName,
    addedAt: now.toISOString(),
    thumbnailUrl: link.url,
  };

  for (let attempt = 1; attempt <= maxOpenAttempts; attempt += 1) {
    const open = await deps.reviews.findOpen(event.galleryId);
    if (open !== undefined) {
      // Batching: a gallery has one open review; new uploads join it and its task and card follow.
      const saved = await updateReview(
        deps.reviews,
        open.review.id,
        (r) => {
          if (!isOpen(r)) return undefined; // decided meanwhile: the upload starts the next review
          const next = addAssets(r, [asset], deps.clock.now());
          return next === r ? undefined : next;
        },
        deps,
      );
      if (saved.review.assets.some((a) => a.assetId === asset.assetId)) {
        return { reviewId: saved.review.id, opened: false };
      }
      continue;
    }
    try {
      const review = await newReview(deps, event, rule, asset, now);
      await deps.reviews.open(review);
      await deps.audit.append({
        at: now.toISOString(),
        kind: 'review.opened',
        subject: review.id,
        summary: `Review of ${review.galleryName} opened for ${review.reviewers.map((r) => r.name).join(', ')}`,
        data: { reviewId: review.id, galleryId: review.galleryId, rule: rule.name },
      });
      return { reviewId: review.id, opened: true };
    } catch (e: unknown) {
      // Another worker opened this gallery's review first: join it on the next pass.
      if (!(e instanceof ConflictError)) throw e;
    }
  }
  throw new ConflictError(`could not open or join the review of gallery ${event.galleryId}`);
}

async function newReview(
  deps: HandleQueueMessageDeps,
  event: Exclude<LibraryEvent, { type: 'gallery.shared' }>,
  rule: RoutingRule,
  asset: ReviewAsset,
  now: Date,
): Promise<Review> {
  const [gallery, reviewers] = await Promise.all([
    deps.archive.getGallery(event.galleryId),
    deps.directory.resolveUsers(rule.reviewers),
  ]);
  const at = now.toISOString();
  const planId = rule.planner.planId ?? deps.defaultPlanId;
  if (planId === undefined) {
    throw new ValidationError(
      `Routing rule "${rule.name}" names no Planner plan and no default plan (PLANNER_PLAN_ID) is set`,
    );
  }
  return {
    id: newReviewId(event.galleryId, now),
    galleryId: gallery.id,
    galleryName: gallery.name,
    galleryUrl: gallery.webUrl,
    rule: rule.name,
    route: {
      rule: rule.name,
      planId,
      bucket: rule.planner.bucket,
      buckets: rule.planner.buckets,
      labels: rule.planner.labels,
      priority: rule.planner.priority,
      checklist: rule.planner.checklist,
      archive: rule.archive,
    },
    status: 'pending',
    assets: [asset],
    reviewers: [...reviewers],
    approval: rule.approval,
    decisions: [],
    round: 1,
    cardVersion: 1,
    planner: { planId },
    teams: { conversation: rule.conversation },
    dueAt: new Date(now.getTime() + rule.dueInHours * 3_600_000).toISOString(),
    openedAt: at,
    updatedAt: at,
  };
}
