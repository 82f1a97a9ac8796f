import { z } from 'zod';

import { isOpen, type Review } from '../model/review.js';
import type { Clock } from '../ports/clock.js';
import type { CursorStore } from '../ports/cursor-store.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ReviewStore } from '../ports/review-store.js';
import { finalCardKey, QUIET_MS } from './sync-card.js';
import { awaitsPreservation, finalStatusKey, taskStateKey } from './sync-review.js';
import { saveLatest } from './latest-state.js';

// A sync can be lost for good (poisoned, deleted, a bug); this sweep queues a sync for each recent
// review whose ledger lacks an effect its current state calls for.

export interface ReconcileDeps {
  readonly reviews: ReviewStore;
  readonly ledger: EffectLedger;
  readonly queue: EventQueue;
  readonly cursors: CursorStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface ReconcileOptions {
  /** Newest reviews looked at per sweep (the store lists newest first). */
  readonly limit: number;
  /** A review changed more recently than this is left to the sync already on its way. */
  readonly quietMs: number;
  /** At most one sync per review version is queued this often, however long it keeps lagging. */
  readonly requeueMs: number;
}

export const defaultReconcileOptions: ReconcileOptions = {
  limit: 500,
  // As long as a decided review waits before its final PhotoShelter status is written once more.
  quietMs: QUIET_MS,
  requeueMs: 15 * 60_000,
};

/** What the last sweep found, kept for the health check (cursor `reconcile`). */
export const reconcileSummarySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  checked: z.number().int().nonnegative(),
  lagging: z.number().int().nonnegative(),
  /** A few of them, for a person to look at. */
  sample: z.array(z.string()).max(10),
});
export type ReconcileSummary = z.infer<typeof reconcileSummarySchema>;

export const RECONCILE_CURSOR = 'reconcile';

/**
 * The ledger keys of the effects a review's current state calls for, as sync-review.ts and
 * sync-card.ts write them. A review lags when one is not done.
 */
export function expectedEffects(review: Review): readonly string[] {
  const { id, round, status, cardVersion } = review;
  return [
    `planner.task:${id}`,
    `planner.details:${id}:${cardVersion}`,
    ...(status !== 'pending' || round > 1 ? [taskStateKey(review)] : []),
    `photoshelter.status:${id}:${round}:${status}:${review.assets.length}`,
    finalStatusKey(review),
    ...(status === 'archived' &&
    review.route.archive.action !== 'none' &&
    !awaitsPreservation(review)
      ? [`photoshelter.archive:${id}`]
      : []),

    `teams.card:${id}`,
    `teams.card:${id}:v${cardVersion}`,
    finalCardKey(review),
  ];
}

async function lags(deps: ReconcileDeps, review: Review): Promise<boolean> {
  for (const key of expectedEffects(review)) {
    const record = await deps.ledger.get(key);
    if (record?.state !== 'done') return true;
  }
  return false;
}

/** One sweep: queues a sync for every recent review whose effects lag its state; returns what it found. */
export async function reconcileReviews(
  deps: ReconcileDeps,
  options: ReconcileOptions = defaultReconcileOptions,
): Promise<ReconcileSummary & { readonly queued: number }> {
  const now = deps.clock.now();
  const stored = await deps.reviews.list({ limit: options.limit });
  const lagging: Review[] = [];
  for (const { review } of stored) {
    if (now.getTime() - Date.parse(review.updatedAt) < options.quietMs) continue;
    if (await lags(deps, review)) lagging.push(review);
  }
  let queued = 0;
  for (const review of lagging) {
    // A lease that is never completed: the sync is queued again only once it has run out.
    const claim = await deps.ledger.begin(`reconcile:${review.id}:v${review.cardVersion}`, {
      now,
      leaseMs: options.requeueMs,
    });
    if (claim.kind !== 'claimed') continue;
    await deps.queue.enqueue({
      type: 'review.sync',
      id: `review.reconcile:${review.id}:v${review.cardVersion}:${claim.attempt}`,
      reviewId: review.id,
      reason: 'reconcile',
    });
    queued += 1;
  }
  const summary: ReconcileSummary = {
    at: now.toISOString(),
    checked: stored.length,
    lagging: lagging.length,
    sample: lagging.slice(0, 10).map((r) => r.id),
  };
  await saveLatest(deps.cursors, RECONCILE_CURSOR, summary);
  if (lagging.length > 0) {
    deps.logger.warn('reviews lag their effects; syncs queued', {
      lagging: lagging.length,
      queued,
      open: lagging.filter(isOpen).length,
    });
  }
  return { ...summary, queued };
}

/** The last sweep's summary, or undefined before the first. */
export async function lastReconcile(
  deps: Pick<ReconcileDeps, 'cursors'>,
): Promise<ReconcileSummary | undefined> {
  // A summary this version cannot read is no summary: the next sweep writes one.
  const cursor = await deps.cursors.get(RECONCILE_CURSOR, z.unknown());
  const parsed = reconcileSummarySchema.safeParse(cursor?.state);
  return parsed.success ? parsed.data : undefined;
}
