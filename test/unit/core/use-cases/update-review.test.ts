import { describe, expect, it } from 'vitest';

import { SystemClock } from '../../../../connectors/system/system-clock.js';
import { ConflictError } from '../../../../core/errors.js';
import type { Review } from '../../../../core/model/review.js';
import type { ReviewStore } from '../../../../core/ports/review-store.js';
import { updateReview } from '../../../../core/use-cases/update-review.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryReviewStore } from '../../../doubles/in-memory-review-store.js';
import { anAsset, aReview } from '../../../support/review-builders.js';

/** One process's handle on the shared store, counting the saves refused for a stale ETag. */
class ProcessView implements ReviewStore {
  refused = 0;

  constructor(private readonly shared: InMemoryReviewStore) {}

  get(reviewId: string) {
    return this.shared.get(reviewId);
  }
  findOpen(galleryId: string) {
    return this.shared.findOpen(galleryId);
  }
  listOfGallery(galleryId: string) {
    return this.shared.listOfGallery(galleryId);
  }
  open(review: Review) {
    return this.shared.open(review);
  }
  async save(review: Review, version: string) {
    try {
      return await this.shared.save(review, version);
    } catch (e: unknown) {
      if (e instanceof ConflictError) this.refused += 1;
      throw e;
    }
  }
  list(...args: Parameters<ReviewStore['list']>) {
    return this.shared.list(...args);
  }
}

/** The uploads of one gallery joining its review side by side, as the Functions host runs them. */
const joins = (reviews: ReviewStore, review: Review, from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    updateReview(reviews, review.id, (r) => ({ ...r, assets: [...r.assets, anAsset(from + i)] }), {
      clock: new SystemClock(),
    }),
  );

describe('updateReview', () => {
  it('lets sixteen writers in one process take turns: each change lands once, none is refused', async () => {
    const shared = new InMemoryReviewStore();
    const review = aReview();
    shared.given(review);
    const process = new ProcessView(shared);

    await Promise.all(joins(process, review, 100, 16));

    expect(process.refused).toBe(0);
    const assets = shared.reviewOf(review.id).assets;
    expect(assets).toHaveLength(review.assets.length + 16);
    expect(new Set(assets.map((a) => a.assetId)).size).toBe(assets.length);
  });

  it('lands the writers of two processes racing on one review, retrying after a pause', async () => {
    const shared = new InMemoryReviewStore();
    const review = aReview();
    shared.given(review);
    const [one, two] = [new ProcessView(shared), new ProcessView(shared)];

    await Promise.all([...joins(one, review, 100, 8), ...joins(two, review, 200, 8)]);

    expect(one.refused + two.refused).toBeGreaterThan(0);
    expect(shared.reviewOf(review.id).assets).toHaveLength(review.assets.length + 16);
  });

  it('pauses a random while, doubling from 20 ms up to 400 ms', async () => {
    const reviews = new InMemoryReviewStore();
    const review = aReview();
    reviews.given(review);
    const clock = new FixedClock();
    // Every save but the last conflicts: someone else writes in between each read and save.
    let interfere = 11;
    const change = (r: Review) => {
      if (interfere > 0) {
        interfere -= 1;
        const current = reviews.reviewOf(review.id);
        reviews.given({ ...current, galleryName: `${current.galleryName}.` });
      }
      return { ...r, assets: [...r.assets, anAsset(200)] };
    };

    await updateReview(reviews, review.id, change, { clock, random: () => 1 });

    expect(clock.sleeps).toEqual([20, 40, 80, 160, 320, 400, 400, 400, 400, 400, 400]);
  });
});
