import { isOverdue } from '../model/review.js';
import type { Clock } from '../ports/clock.js';
import type { EffectLedger } from '../ports/effect-ledger.js';
import type { EventQueue } from '../ports/event-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ReviewStore } from '../ports/review-store.js';
import { runOnce } from './run-once.js';
import { publishReviewEvent, reviewEventId } from './webhooks.js';

const MAX_OPEN_REVIEWS = 2_000;

/**
 * The `sweepOverdue` timer: each open review past its due date raises `review.overdue` once per due
 * date (the ledger remembers), however often the sweep runs.
 */
export async function sweepOverdue(deps: {
  readonly reviews: Pick<ReviewStore, 'list'>;
  readonly queue: EventQueue;
  readonly ledger: EffectLedger;
  readonly clock: Clock;
  readonly logger: Logger;
}): Promise<{ readonly overdue: number; readonly published: number }> {
  const now = deps.clock.now();
  const open = await deps.reviews.list({
    statuses: ['pending', 'rereview'],
    limit: MAX_OPEN_REVIEWS,
  });
  const overdue = open.filter((s) => isOverdue(s.review, now));
  let published = 0;
  for (const { review } of overdue) {
    const { isFresh } = await runOnce(
      deps,
      `published:${reviewEventId('review.overdue', review)}`,
      async () => {
        await publishReviewEvent(deps, 'review.overdue', review);
        return 'published';
      },
    );
    if (isFresh) published += 1;
  }
  if (published > 0) deps.logger.info('overdue reviews announced', { published });
  return { overdue: overdue.length, published };
}
