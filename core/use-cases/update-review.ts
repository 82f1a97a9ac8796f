import { ConflictError, NotFoundError } from '../errors.js';
import type { Review } from '../model/review.js';
import type { ReviewStore, StoredReview } from '../ports/review-store.js';

const maxAttempts = 8;

/**
 * Read-modify-write of a review under its ETag: on a conflict the change is re-applied to the fresh
 * copy. `change` returns undefined when there is nothing to write.
 */
export async function updateReview(
  reviews: ReviewStore,
  reviewId: string,
  change: (review: Review) => Review | undefined,
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
    }
  }
}
