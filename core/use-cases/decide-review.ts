import { ConflictError, NotFoundError } from '../errors.js';
import {
  decide,
  type DecisionOutcome,
  type DecisionRequest,
  type Review,
} from '../model/review.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ReviewStore } from '../ports/review-store.js';
import { publishReviewEvent } from './webhooks.js';

export interface DecideReviewDeps {
  readonly reviews: ReviewStore;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The outcome, with the review as it now stands (to render the answer from). */
export type DecideReviewResult = DecisionOutcome & { readonly current: Review };

const maxAttempts = 5;

/**
 * One reviewer's Approve / Re-review / Archive, from a card, the API or Planner (ARCHITECTURE.md §3.5).
 * Records the decision under the review's ETag and queues the slow effects (Planner, PhotoShelter, the
 * card for everyone), so a card action is answered in milliseconds.
 */
export async function decideReview(
  deps: DecideReviewDeps,
  reviewId: string,
  request: DecisionRequest,
): Promise<DecideReviewResult> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.reviews.get(reviewId);
    if (stored === undefined) throw new NotFoundError('Review', reviewId);
    const outcome = decide(stored.review, request, deps.clock.now());
    if (outcome.kind !== 'decided' && outcome.kind !== 'recorded') {
      return { ...outcome, current: stored.review };
    }
    // Subscribers hear of decisions that close a review or send it back, not of votes it still waits
    // on. Announced before the save, which the fan-out checks for: a crash between the save and an
    // announcement after it would lose the event for good, as the retried press finds it decided.
    // The sync is queued ahead of the save for the same reason: queued after it, a crash in between
    // would leave Planner, PhotoShelter and everyone's card behind for good.
    await Promise.all([
      deps.queue.enqueue({
        type: 'review.sync',
        id: `review.sync:${outcome.review.id}:v${outcome.review.cardVersion}`,
        reviewId: outcome.review.id,
        reason: `decision ${request.verb}`,
        atLeastVersion: outcome.review.cardVersion,
        requestedAt: deps.clock.now().toISOString(),
      }),
      ...(outcome.kind === 'decided'
        ? [publishReviewEvent(deps, 'review.decided', outcome.review)]
        : []),
    ]);
    try {
      const saved = await deps.reviews.save(outcome.review, stored.version);
      const review = saved.review;
      const decision = review.decisions.at(-1);
      await deps.audit.append({
        at: deps.clock.now().toISOString(),
        kind: 'review.decided',
        subject: review.id,
        summary: `${decision?.reviewerName ?? 'someone'} chose ${request.verb} on ${review.galleryName}${decision?.comment === undefined ? '' : `: "${decision.comment}"`}`,
        data: {
          reviewId: review.id,
          verb: request.verb,
          source: request.source,
          status: review.status,
        },
      });
      deps.logger.info('review decided', {
        reviewId: review.id,
        verb: request.verb,
        status: review.status,
      });
      return { ...outcome, review, current: review };
    } catch (e: unknown) {
      // Someone else decided at the same moment: decide again on the fresh copy, which may now say
      // the card is stale or the review closed.
      if (!(e instanceof ConflictError) || attempt >= maxAttempts) throw e;
    }
  }
}
