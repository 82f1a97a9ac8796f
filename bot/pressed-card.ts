import { AppError, ConflictError, NotFoundError } from '../core/errors.js';
import { type PressedCard, takesPresses } from '../core/model/card-instance.js';
import type { Review, ReviewStatus } from '../core/model/review.js';
import type { ReviewStore, StoredReview } from '../core/ports/review-store.js';

// Only the card a review records (`teams.cardInstance`) takes presses; another card of it (a post
// repeated after its answer was lost) answers "moved to a newer card". The check is made on the
// review a decision is saved on, so a card cannot slip in while the review moves to a newer one.

/** A press came from a card the review has left; `review` is the stored review that says so. */
export class CardMovedError extends AppError {
  constructor(readonly review: Review) {
    super('conflict', `review ${review.id} moved to a newer card`);
  }
}

/**
 * The review store the bot decides through: it also hands out the copy of a review it read or wrote
 * a moment ago (a card's Refresh), without a storage call (composition/recent-reviews.ts).
 */
export interface ReviewsWithRecentCopies extends ReviewStore {
  /** The copy read or written lately; it may be behind the stored review, so only for guarded writes. */
  peek(reviewId: string): StoredReview | undefined;
}

/**
 * The stored review when the pressed card is no longer its current one, else undefined. The copy
 * the bot kept (`recent`) can say yes on its own; a no is only ever given on a fresh read.
 */
export async function leftBehind(
  reviews: ReviewStore,
  reviewId: string,
  card: PressedCard,
  recent: StoredReview | undefined,
): Promise<Review | undefined> {
  if (recent !== undefined && takesPresses(recent.review, card)) return undefined;
  const stored = await reviews.get(reviewId);
  if (stored === undefined) throw new NotFoundError('Review', reviewId);
  return takesPresses(stored.review, card) ? undefined : stored.review;
}

/**
 * The review store a press decides through: a decision is saved only while the pressed card is the
 * review's current one. The save is version-guarded, so checking the copy checks the store: a
 * current copy naming another card is CardMovedError, a stale one a ConflictError (decideReview
 * reads again).
 */
export class PressedCardReviews implements ReviewStore {
  constructor(
    private readonly inner: ReviewStore,
    private readonly card: PressedCard,
  ) {}

  get(reviewId: string): Promise<StoredReview | undefined> {
    return this.inner.get(reviewId);
  }

  findOpen(galleryId: string): Promise<StoredReview | undefined> {
    return this.inner.findOpen(galleryId);
  }

  listOfGallery(galleryId: string): Promise<readonly StoredReview[]> {
    return this.inner.listOfGallery(galleryId);
  }

  open(review: Review): Promise<StoredReview> {
    return this.inner.open(review);
  }

  async save(review: Review, version: string): Promise<StoredReview> {
    if (takesPresses(review, this.card)) return this.inner.save(review, version);
    const stored = await this.inner.get(review.id);
    if (stored !== undefined && stored.version === version) throw new CardMovedError(stored.review);
    throw new ConflictError(`review ${review.id} moved on`);
  }

  list(filter: {
    readonly statuses?: readonly ReviewStatus[];
    readonly limit: number;
  }): Promise<readonly StoredReview[]> {
    return this.inner.list(filter);
  }
}
