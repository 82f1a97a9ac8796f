import { describe, expect, it } from 'vitest';

import { RecentReviewsCache } from '../../../composition/recent-reviews.js';
import { ConflictError } from '../../../core/errors.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { InMemoryReviewStore } from '../../doubles/in-memory-review-store.js';
import { aReview } from '../../support/review-builders.js';

function aStore(options: { maxAgeMs?: number; capacity?: number } = {}) {
  const clock = new FixedClock();
  const inner = new InMemoryReviewStore();
  return { clock, inner, recent: new RecentReviewsCache(inner, { clock, ...options }) };
}

const galleryIds = ['G0000aaaaaaaaaaa', 'G0000bbbbbbbbbbb', 'G0000ccccccccccc'];

describe('RecentReviewsCache', () => {
  it('has nothing to peek at before it has read or written the review', () => {
    const { recent } = aStore();

    expect(recent.peek(aReview().id)).toBeUndefined();
  });

  it('keeps what it read, frozen, so no caller can change it under the next press', async () => {
    const { inner, recent } = aStore();
    const stored = inner.given(aReview());
    const read = await recent.get(stored.review.id);

    const peeked = recent.peek(stored.review.id);
    expect(peeked).toEqual(stored);
    expect(() => {
      if (peeked !== undefined) peeked.review.status = 'archived';
    }).toThrow(TypeError);
    expect(() => read?.review.decisions.push(read.review.decisions[0] as never)).toThrow(TypeError);

    expect(recent.peek(stored.review.id)?.review.status).toBe('pending');
  });

  it('keeps what it saved, under the new version', async () => {
    const { inner, recent } = aStore();
    const stored = inner.given(aReview());

    const saved = await recent.save({ ...stored.review, cardVersion: 2 }, stored.version);

    expect(recent.peek(stored.review.id)).toEqual(saved);
    expect(saved.version).not.toBe(stored.version);
  });

  it('forgets a review once its save finds it moved on, so the next press reads the store', async () => {
    const { inner, recent } = aStore();
    const stored = inner.given(aReview());
    await recent.get(stored.review.id);
    await inner.save({ ...stored.review, cardVersion: 2 }, stored.version); // someone else

    await expect(
      recent.save({ ...stored.review, cardVersion: 2 }, stored.version),
    ).rejects.toBeInstanceOf(ConflictError);

    expect(recent.peek(stored.review.id)).toBeUndefined();
    expect(inner.reviewOf(stored.review.id).cardVersion).toBe(2);
  });

  it('lets a copy go after two minutes by default', async () => {
    const { clock, inner, recent } = aStore();
    const stored = inner.given(aReview());
    await recent.get(stored.review.id);

    clock.advance(120_000);
    expect(recent.peek(stored.review.id)).toEqual(stored);
    clock.advance(1);
    expect(recent.peek(stored.review.id)).toBeUndefined();
  });

  it('keeps at most `capacity` reviews, dropping the one seen longest ago', async () => {
    const { inner, recent } = aStore({ capacity: 2 });
    const [a, b, c] = galleryIds.map((galleryId) => inner.given(aReview({ galleryId })));
    if (a === undefined || b === undefined || c === undefined) throw new TypeError('three reviews');
    await recent.get(a.review.id);
    await recent.get(b.review.id);
    await recent.get(a.review.id); // seen again: b is now the oldest

    await recent.get(c.review.id);

    expect(recent.peek(a.review.id)).toEqual(a);
    expect(recent.peek(b.review.id)).toBeUndefined();
    expect(recent.peek(c.review.id)).toEqual(c);
  });
});
