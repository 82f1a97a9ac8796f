import { LRUCache } from 'lru-cache';

import type { ReviewsWithRecentCopies } from '../bot/pressed-card.js';
import { ConflictError } from '../core/errors.js';
import type { Review, ReviewStatus } from '../core/model/review.js';
import type { Clock } from '../core/ports/clock.js';
import type { ReviewStore, StoredReview } from '../core/ports/review-store.js';

export interface RecentReviewsCacheOptions {
  readonly clock: Clock;
  /** How long a copy may be used after it was read or written (default two minutes). */
  readonly maxAgeMs?: number;
  /** How many reviews are kept; the least recently seen go first (default 256). */
  readonly capacity?: number;
}

/**
 * A ReviewStore decorator keeping recently read or written reviews for `peek`: a press usually
 * follows its card Refresh's read by moments (docs/decisions.md "Review loop"). Only the bot is
 * built with it (composition/create-bot.ts); the worker and the API always read the store.
 */
export class RecentReviewsCache implements ReviewsWithRecentCopies {
  private readonly entries: LRUCache<string, StoredReview>;

  constructor(
    private readonly inner: ReviewStore,
    options: RecentReviewsCacheOptions,
  ) {
    this.entries = new LRUCache({
      max: Math.max(1, options.capacity ?? 256),
      ttl: options.maxAgeMs ?? 120_000,
      // The injected clock, read on every look (no cached "now"), so tests can move time.
      perf: { now: () => options.clock.now().getTime() },
      ttlResolution: 0,
    });
  }

  /**
   * A copy read or written a moment ago, without a storage call; it may be stale, so it is only for
   * a write guarded by its version (ConflictError when stale).
   */
  peek(reviewId: string): StoredReview | undefined {
    return this.entries.get(reviewId);
  }

  async get(reviewId: string): Promise<StoredReview | undefined> {
    const stored = await this.inner.get(reviewId);
    if (stored === undefined) this.entries.delete(reviewId);
    else this.remember(stored);
    return stored;
  }

  async findOpen(galleryId: string): Promise<StoredReview | undefined> {
    const stored = await this.inner.findOpen(galleryId);
    if (stored !== undefined) this.remember(stored);
    return stored;
  }

  listOfGallery(galleryId: string): Promise<readonly StoredReview[]> {
    return this.inner.listOfGallery(galleryId);
  }

  async open(review: Review): Promise<StoredReview> {
    return this.remember(await this.inner.open(review));
  }

  async save(review: Review, version: string): Promise<StoredReview> {
    try {
      return this.remember(await this.inner.save(review, version));
    } catch (e: unknown) {
      // Our copy is behind whoever wrote: the next press reads the store.
      if (e instanceof ConflictError) this.entries.delete(review.id);
      throw e;
    }
  }

  list(filter: {
    readonly statuses?: readonly ReviewStatus[];
    readonly limit: number;
  }): Promise<readonly StoredReview[]> {
    // A listing reads hundreds of reviews no one is about to press on; they are not worth keeping.
    return this.inner.list(filter);
  }

  private remember(stored: StoredReview): StoredReview {
    const id = stored.review.id;
    // Shared with whoever read or wrote it, so frozen: a caller changing a review it was handed (core
    // never does; it builds a new one) fails at once instead of changing the copy under every press.
    // Freezing walks the review once; copying it on every peek cost a clone per press.
    deepFreeze(stored);
    this.entries.set(id, stored);
    return stored;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
