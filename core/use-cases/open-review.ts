import { ConflictError, ValidationError } from '../errors.js';
import type { LibraryEvent } from '../model/library-event.js';
import {
  addAssets,
  isOpen,
  isOwnFinal,
  reopenForVersion,
  type Review,
  type ReviewAsset,
} from '../model/review.js';
import { type RoutingRule, type RoutingRules, routeFor } from '../model/routing-rules.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { Directory } from '../ports/directory.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PhotoArchive } from '../ports/photo-archive.js';
import type { ReviewStore } from '../ports/review-store.js';
import { runOnce } from './run-once.js';
import { updateReview } from './update-review.js';
import { publishReviewEvent, type WebhookDeps } from './webhooks.js';

/** An upload, replacement or metadata change: the library events that may join a review. */
export type AssetEvent = Exclude<LibraryEvent, { type: 'gallery.shared' }>;

export interface OpenReviewDeps extends WebhookDeps {
  readonly archive: PhotoArchive;
  readonly reviews: ReviewStore;
  readonly directory: Directory;
  readonly ledger: EffectLedger;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rules: RoutingRules;
  /** The plan of rules that name none (PLANNER_PLAN_ID). */
  readonly defaultPlanId: string | undefined;
}

/** A review id embeds its gallery (the store's partition) and when it opened. */
export function newReviewId(galleryId: string, now: Date): string {
  return `${galleryId}~${now.getTime().toString(36)}`;
}

const MAX_OPEN_ATTEMPTS = 5;

/**
 * Routes an asset event to a rule and has it join the gallery's open review (or open one), then
 * queues the review's sync. Undefined when no rule matches.
 */
export async function reviewAssetEvent(
  deps: OpenReviewDeps,
  event: AssetEvent,
): Promise<{ readonly reviewId: string; readonly opened: boolean } | undefined> {
  const rule = await matchRule(deps, event);
  if (rule === undefined) {
    deps.logger.debug('no routing rule matches', { eventId: event.id, galleryId: event.galleryId });
    return undefined;
  }
  // Recorded once, so a redelivery after the review was decided opens no second review of the
  // image; the result says whether this event opened it, so a redelivery after a crash still
  // announces that.
  const joined = await runOnce(deps, `review.joined:${event.id}`, async () => {
    const outcome = await openOrExtendReview(deps, event, rule);
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
    id: `review.sync:${reviewId}:${event.id}`.slice(0, 400),
    reviewId,
    reason: `${event.type} ${event.assetId}`,
  });
  return { reviewId, opened: opened && joined.isFresh };
}

export async function matchRule(
  deps: OpenReviewDeps,
  event: AssetEvent,
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

export async function openOrExtendReview(
  deps: OpenReviewDeps,
  event: AssetEvent,
  rule: RoutingRule,
): Promise<{ reviewId: string; opened: boolean }> {
  if (event.type === 'asset.replaced') {
    const proofed = await replaceInProof(deps, event);
    if (proofed !== undefined) return proofed;
  }
  const now = deps.clock.now();
  const link = await deps.archive.getDisplayLink(event.assetId, { width: 300, height: 300 });
  const asset: ReviewAsset = {
    assetId: event.assetId,
    fileName: event.file.fileName,
    addedAt: now.toISOString(),
    thumbnailUrl: link.url,
  };

  for (let attempt = 1; attempt <= MAX_OPEN_ATTEMPTS; attempt += 1) {
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

/**
 * A replaced image of a review proofed in Ziflow goes to that review, not to a new one: the review
 * is re-opened and the proof gets its next version (docs/ziflow.md). The review is the newest of
 * the gallery holding the image; undefined (the upload rules apply) when it has no proof, is
 * archived, or another review of the gallery is open. The approved file Lightdesk wrote back
 * itself changes nothing.
 */
async function replaceInProof(
  deps: OpenReviewDeps,
  event: AssetEvent & { readonly type: 'asset.replaced' },
): Promise<{ reviewId: string; opened: boolean } | undefined> {
  const reviews = (await deps.reviews.listOfGallery(event.galleryId)).map((s) => s.review);
  const holder = reviews.findLast((r) => r.assets.some((a) => a.assetId === event.assetId));
  if (holder?.proof === undefined || holder.route.review === 'teams') return undefined;
  if (holder.status === 'archived' || holder.status === 'superseded') return undefined;
  if (isOwnFinal(holder, event.assetId, event.file.fileSize)) {
    return { reviewId: holder.id, opened: false };
  }
  if (reviews.some((r) => r.id !== holder.id && isOpen(r))) return undefined;
  try {
    await updateReview(
      deps.reviews,
      holder.id,
      (r) => {
        const next = reopenForVersion(r, deps.clock.now());
        return next === r ? undefined : next;
      },
      deps,
    );
  } catch (e: unknown) {
    // Another review of the gallery opened meanwhile: the image joins that one instead.
    if (e instanceof ConflictError) return undefined;
    throw e;
  }
  await deps.audit.append({
    at: deps.clock.now().toISOString(),
    kind: 'review.reopened',
    subject: holder.id,
    summary: `${event.file.fileName} replaced: review of ${holder.galleryName} open again for a new Ziflow version`,
    data: { reviewId: holder.id, galleryId: holder.galleryId, assetId: event.assetId },
  });
  return { reviewId: holder.id, opened: false };
}

export async function newReview(
  deps: OpenReviewDeps,
  event: AssetEvent,
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
      review: rule.review,
      proof: rule.ziflow,
      ...(rule.preserve === undefined ? {} : { preserve: rule.preserve }),
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
