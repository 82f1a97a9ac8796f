import { describe, expect, it } from 'vitest';

import { SystemClock } from '../../../../connectors/system/system-clock.js';
import { ConflictError } from '../../../../core/errors.js';
import type { Review } from '../../../../core/model/review.js';
import { updateReview } from '../../../../core/use-cases/update-review.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { InMemoryReviewStore } from '../../../doubles/in-memory-review-store.js';
import { anAsset, aReview } from '../../../support/review-builders.js';

/** The uploads of one gallery, as the Functions host runs a batch of 16 of them at once. */
const sixteenJoins = (reviews: InMemoryReviewStore, review: Review, clock?: SystemClock) =>
  Promise.allSettled(
    Array.from({ length: 16 }, (_, i) =>
      updateReview(
        reviews,
        review.id,
        (r) => ({ ...r, assets: [...r.assets, anAsset(100 + i)] }),
        clock === undefined ? undefined : { clock },
      ),
    ),
  );

describe('updateReview', () => {
  it('lands sixteen writers racing on one review, each change once, when it may pause between tries', async () => {
    const reviews = new InMemoryReviewStore();
    const review = aReview();
    reviews.given(review);

    const results = await sixteenJoins(reviews, review, new SystemClock());

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const assets = reviews.reviewOf(review.id).assets;
    expect(assets).toHaveLength(review.assets.length + 16);
    expect(new Set(assets.map((a) => a.assetId)).size).toBe(assets.length);
  });

  it('without pauses, writers retrying in lockstep run out of attempts', async () => {
    const reviews = new InMemoryReviewStore();
    const review = aReview();
    reviews.given(review);

    const results = await sixteenJoins(reviews, review);

    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((r) => r.reason instanceof ConflictError)).toBe(true);
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
