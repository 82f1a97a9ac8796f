import { ConflictError, NotFoundError } from '../errors.js';
import type { Review } from '../model/review.js';
import type { Clock } from '../ports/clock.js';
import type { ReviewStore, StoredReview } from '../ports/review-store.js';

const maxAttempts = 12;
/** The longest pause between attempts; the first is up to 20 ms, then doubling. */
const maxPauseMs = 400;

/**
 * Read-modify-write of a review under its ETag: on a conflict the change is re-applied to the fresh
 * copy. `change` returns undefined when there is nothing to write. With a clock, a conflict is
 * followed by a short random pause: the Functions host runs up to 16 messages of a batch at once
 * (host.json `batchSize`), and the uploads of one gallery all write its review; retrying at once,
 * they keep colliding until some run out of attempts and wait out their visibility timeout.
 */
export async function updateReview(
  reviews: ReviewStore,
  reviewId: string,
  change: (review: Review) => Review | undefined,
  contention?: { readonly clock: Clock; readonly random?: () => number },
): Promise<StoredReview> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await reviews.get(reviewId);
    if (stored === undefined) throw new NotFoundError('Review', reviewId);
    const next = change(stored.review);
    if (next === undefined || next === stored.review) return stored;
    try {
      return await reviews.save(next, stored.version);
    } catch (e: unknown) {
      if (!(e instanceof ConflictError) || attempt >= maxAttempts) throw e;
      if (contention !== undefined) {
        const ceiling = Math.min(maxPauseMs, 10 * 2 ** attempt);
        await contention.clock.sleep(Math.round((contention.random ?? Math.random)() * ceiling));
      }
    }
  }
}
