import { ConflictError, NotFoundError } from '../errors.js';
import {
  decide,
  decidedVia,
  decisionAuthor,
  type DecisionOutcome,
  type DecisionRequest,
  type Review,
} from '../model/review.js';
import { lastDecisionRef } from '../model/queue-message.js';
import type { Clock } from '../ports/clock.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ReviewStore, StoredReview } from '../ports/review-store.js';
import { reviewEventMessage } from './webhooks.js';

export interface DecideReviewDeps {
  readonly reviews: ReviewStore;
  readonly queue: EventQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The outcome, with the review as it now stands (to render the answer from). */
export type DecideReviewResult = DecisionOutcome & { readonly current: Review };

const MAX_ATTEMPTS = 5;

/**
 * One reviewer's Approve / Re-review / Archive, from a card, the API or Planner.
 * Records the decision under the review's ETag and queues the slow effects (Planner, PhotoShelter, the
 * card for everyone, the audit entry, subscribers), so a card action costs three storage calls (two
 * when the caller hands over `seen`, the copy the card's Refresh read) and is answered in
 * milliseconds.
 */
export async function decideReview(
  deps: DecideReviewDeps,
  reviewId: string,
  request: DecisionRequest,
  seen?: StoredReview,
): Promise<DecideReviewResult> {
  for (let attempt = 1; ; attempt += 1) {
    // The copy read a moment ago, when the caller kept one: the save below is guarded by its
    // version, so a copy that fell behind costs a retry, never a wrong decision.
    const recent = attempt === 1 && seen?.review.id === reviewId ? seen : undefined;
    const stored = recent ?? (await deps.reviews.get(reviewId));
    if (stored === undefined) throw new NotFoundError('Review', reviewId);
    const outcome = decide(stored.review, request, deps.clock.now());
    if (outcome.kind !== 'decided' && outcome.kind !== 'recorded') {
      // A refusal (stale card, closed, already decided…) is only given on the stored review: the
      // copy may be older than the card that was pressed.
      if (recent !== undefined) continue;
      return { ...outcome, current: stored.review };
    }
    // One queue write carries everything slower than the answer: the sync of Planner, PhotoShelter and
    // everyone's card, the audit entry and, for decisions that close a review or send it back, the
    // announcement to subscribers. It goes ahead of the save: queued after it, a crash in between
    // would leave them behind for good, as the retried press finds the review decided. The worker
    // acts on it only once it finds this decision stored (a save that lost a race leaves nothing).
    const review = outcome.review;
    const decision = review.decisions.at(-1);
    const ref = lastDecisionRef(review);
    const via = decision === undefined ? undefined : decidedVia(decision);
    const now = deps.clock.now();
    await deps.queue.enqueue({
      type: 'review.sync',
      id: `review.sync:${review.id}:v${review.cardVersion}`,
      reviewId: review.id,
      reason: `decision ${request.verb}`,
      atLeastVersion: review.cardVersion,
      requestedAt: now.toISOString(),
      ...(decision === undefined || ref === undefined
        ? {}
        : {
            decision: ref,
            audit: {
              at: decision.at,
              kind: 'review.decided',
              subject: review.id,
              summary: `${decisionAuthor(decision)} chose ${request.verb} on ${review.galleryName}${decision.comment === undefined ? '' : `: "${decision.comment}"`}`,
              data: {
                reviewId: review.id,
                verb: request.verb,
                source: request.source,
                ...(via === undefined ? {} : { via }),
                status: review.status,
              },
            },
          }),
      ...(outcome.kind === 'decided'
        ? { announce: reviewEventMessage('review.decided', review, now) }
        : {}),
    });
    try {
      const saved = await deps.reviews.save(review, stored.version);
      deps.logger.info('review decided', {
        reviewId: review.id,
        verb: request.verb,
        status: saved.review.status,
      });
      return { ...outcome, review: saved.review, current: saved.review };
    } catch (e: unknown) {
      // Someone else decided at the same moment: decide again on the fresh copy, which may now say
      // the card is stale or the review closed.
      if (!(e instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}
