import type { Review, ReviewStatus } from '../model/review.js';

export interface StoredReview {
  readonly review: Review;
  /** Opaque ETag for optimistic concurrency. */
  readonly version: string;
}

/**
 * Reviews, one partition per gallery. `open` claims the gallery's slot atomically with the review,
 * held only while open, so there is at most one open review per gallery.
 */
export interface ReviewStore {
  get(reviewId: string): Promise<StoredReview | undefined>;
  findOpen(galleryId: string): Promise<StoredReview | undefined>;
  /** Every review of one gallery, open or closed, oldest opened first. */
  listOfGallery(galleryId: string): Promise<readonly StoredReview[]>;
  /** ConflictError when the gallery already has an open review (someone else opened it first). */
  open(review: Review): Promise<StoredReview>;
  /** ConflictError when the stored version moved on. */
  save(review: Review, version: string): Promise<StoredReview>;
  list(filter: {
    readonly statuses?: readonly ReviewStatus[];
    readonly limit: number;
  }): Promise<readonly StoredReview[]>;
}
