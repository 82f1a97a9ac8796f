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
 * One reviewer's Approve / Re-review / Archive, from a card, the API or Planner: saved under the
 * review's ETag with the slow effects queued, so a card action answers in milliseconds.
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
    // One queue write carries the sync, audit entry and announcement, queued before the save: after
    // it, a crash between the two would lose them (docs/decisions.md "Review loop").
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
