import { describe, expect, it } from 'vitest';

import { CARD_BUDGET_BYTES, cardSizeBytes } from '../../../adaptiveCards/card-size.js';
import { buildDecidedCard } from '../../../adaptiveCards/decided-card.js';
import { buildErrorCard } from '../../../adaptiveCards/error-card.js';
import { buildPendingCard, buildStatusCard } from '../../../adaptiveCards/message-card.js';
import { buildReviewCard } from '../../../adaptiveCards/review-card.js';
import type { Review } from '../../../core/model/review.js';
import {
  aDecision,
  aReview,
  mriOf,
  someAssets,
  someReviewers,
  t0,
} from '../../support/review-builders.js';
import { expectActionDataParses, expectRendererAccepts, findAll } from './card-checks.js';

const long = (n: number, unit = 'é') => unit.repeat(n);

/** 10 000 images, 60 reviewers with long names, 500 decisions with the longest comments allowed. */
function aHugeReview(): Review {
  const reviewers = someReviewers(60).map((r) => ({ ...r, name: `${r.name} ${long(200)}` }));
  return aReview({
    galleryName: long(5000),
    assets: someAssets(10_000),
    reviewers,
    approval: 'all',
    status: 'rereview',
    round: 3,
    cardVersion: 501,
    decisions: Array.from({ length: 500 }, (_, i) =>
      aDecision(reviewers[i % 60] ?? reviewers[0]!, i % 2 === 0 ? 'approve' : 'rereview', {
        minutes: i,
        round: 1 + Math.floor(i / 200),
        comment: long(1000, '🙂'),
      }),
    ),
  });
}

const thumbnailsOf = (review: Review, urlLength = 0) =>
  review.assets.map((a) => ({
    assetId: a.assetId,
    url:
      urlLength === 0 ? (a.thumbnailUrl ?? '') : `https://img.example.com/${long(urlLength, 'a')}`,
    fileName: long(500),
  }));

describe('card size', () => {
  it('counts the JSON as UTF-16, two bytes a code unit', () => {
    const card = buildErrorCard('é', '🙂');
    expect(cardSizeBytes(card)).toBe(JSON.stringify(card).length * 2);
  });

  it('keeps the review card of a huge batch within its 28 KB budget, and it still parses and acts', () => {
    const review = aHugeReview();
    const card = buildReviewCard({
      review,
      thumbnails: thumbnailsOf(review),
      taskUrl: 'https://tasks.office.com/contoso.example/Home/Task/t1',
      view: 'reviewer',
      reason: long(10_000),
      now: t0,
      maxThumbnails: 500,
      refreshUserIds: review.reviewers.map(mriOf),
    });
    expect(cardSizeBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(findAll(card, 'Image').length).toBeGreaterThan(0);
    // Shortened texts never end in half an emoji (JSON.stringify would escape a lone surrogate).
    expect(JSON.stringify(card)).not.toMatch(/\\ud[89ab]/i);
    expect(card.refresh?.userIds).toHaveLength(60);
    expectRendererAccepts(card);
    expectActionDataParses(card);
  });

  it('drops thumbnails, then history, rather than go over when every link is as long as allowed', () => {
    const review = aHugeReview();
    const card = buildReviewCard({
      review,
      thumbnails: thumbnailsOf(review, 2000),
      taskUrl: `https://tasks.office.com/${long(2000, 'a')}`,
      view: 'reviewer',
      now: t0,
      maxThumbnails: 12,
      refreshUserIds: Array.from({ length: 100 }, (_, i) => `29:${i}${long(250, 'a')}`),
    });
    expect(cardSizeBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expectRendererAccepts(card);
  });

  it('keeps the other cards within the budget too', () => {
    const review = { ...aHugeReview(), status: 'approved' as const, closedAt: t0.toISOString() };
    const many = Array.from({ length: 1000 }, () => review);
    for (const card of [
      buildDecidedCard({ review, thumbnails: thumbnailsOf(review, 2000), maxThumbnails: 500 }),
      buildPendingCard(many, t0, 5000),
      buildStatusCard(review, long(5000)),
      buildStatusCard(undefined, long(5000)),
      buildErrorCard(long(5000), long(50_000), { reviewId: review.id, cardVersion: 1 }),
    ]) {
      expect(cardSizeBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
      expectRendererAccepts(card);
    }
  });
});
