import { ConflictError, NotFoundError } from '../errors.js';
import type { Review } from '../model/review.js';
import type { Clock } from '../ports/clock.js';
import type { ReviewStore, StoredReview } from '../ports/review-store.js';

const MAX_ATTEMPTS = 12;
/** The longest pause between attempts; the first is up to 20 ms, then doubling. */
const MAX_PAUSE_MS = 400;

/**
 * Writers of one review in this process take turns (a batch's uploads join it side by side);
 * between processes the ETag decides, with a pause before each new try.
 */
const lanes = new WeakMap<ReviewStore, Map<string, Promise<unknown>>>();

function inLane<T>(reviews: ReviewStore, reviewId: string, work: () => Promise<T>): Promise<T> {
  let byReview = lanes.get(reviews);
  if (byReview === undefined) {
    byReview = new Map();
    lanes.set(reviews, byReview);
  }
  const before = byReview.get(reviewId) ?? Promise.resolve();
  const mine = before.then(work, work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  byReview.set(reviewId, settled);
  // The lane is dropped once nobody waits behind this writer.
  void settled.then(() => {
    if (byReview.get(reviewId) === settled) byReview.delete(reviewId);
  });
  return mine;
}

/**
 * Read-modify-write of a review under its ETag, re-applying `change` (undefined: nothing to write)
 * to a fresh copy on conflict; with a clock, a cross-process conflict waits a short random pause
 * first.
 */
export async function updateReview(
  reviews: ReviewStore,
  reviewId: string,
  change: (review: Review) => Review | undefined,
  contention?: { readonly clock: Clock; readonly random?: () => number },
): Promise<StoredReview> {
  return inLane(reviews, reviewId, () => readModifyWrite(reviews, reviewId, change, contention));
}

async function readModifyWrite(
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
      if (!(e instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw e;
      if (contention !== undefined) {
        const ceiling = Math.min(MAX_PAUSE_MS, 10 * 2 ** attempt);
        await contention.clock.sleep(Math.round((contention.random ?? Math.random)() * ceiling));
      }
    }
  }
}
