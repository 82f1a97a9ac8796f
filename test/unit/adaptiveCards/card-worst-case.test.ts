import { describe, expect, it } from 'vitest';

import { MOVED_NOTE } from '../../../adaptiveCards/adaptive-review-cards.js';
import type { CardThumbnail } from '../../../adaptiveCards/card-model.js';
import { CARD_BUDGET_BYTES, cardSizeBytes } from '../../../adaptiveCards/card-size.js';
import type { AdaptiveCard } from '../../../adaptiveCards/card-types.js';
import { buildDecidedCard } from '../../../adaptiveCards/decided-card.js';
import { buildErrorCard } from '../../../adaptiveCards/error-card.js';
import {
  buildHelpCard,
  buildPendingCard,
  buildStatusCard,
} from '../../../adaptiveCards/message-card.js';
import { buildReviewCard } from '../../../adaptiveCards/review-card.js';
import type { Review } from '../../../core/model/review.js';
import { aDecision, anAsset, aReview, someReviewers, t0 } from '../../support/review-builders.js';
import { expectActionDataParses, expectRendererAccepts, findAll } from './card-checks.js';

// Issue 16 "Card size": every card the product builds stays within 28 KB in the worst case: 20
// reviewers, 2,000-character comments, a long decision history, 100 images, long names.

const KB_28 = 28 * 1024;

/** Text that grows when shown as typed: Markdown is escaped, so each `*` or `_` costs two. */
const long = (n: number): string => 'Wolfe_schlegel*stein [hausen] é🙂 '.repeat(n).slice(0, n);

const reviewers = someReviewers(20).map((r) => ({
  ...r,
  name: `${r.name} ${long(300)}`,
  upn: `${long(100)}@contoso.example`,
}));

/** 300 decisions over 10 rounds, each with the longest comment kept, some through the API. */
function aWorstCaseReview(overrides: Partial<Review> = {}): Review {
  return aReview({
    galleryName: long(1000),
    assets: Array.from({ length: 100 }, (_, i) => anAsset(i + 1, { fileName: long(300) })),
    reviewers,
    approval: 'all',
    status: 'rereview',
    round: 10,
    cardVersion: 301,
    decisions: Array.from({ length: 300 }, (_, i) =>
      aDecision(reviewers[i % 20] ?? reviewers[0]!, i % 3 === 0 ? 'approve' : 'rereview', {
        minutes: i,
        round: 1 + Math.floor(i / 30),
        comment: long(2000),
        ...(i % 4 === 0 ? { source: 'api' as const, via: 'x'.repeat(64) } : {}),
      }),
    ),
    ...overrides,
  });
}

/** Every image with a display link of a realistic, longish length. */
const thumbnailsOf = (review: Review): CardThumbnail[] =>
  review.assets.map((a) => ({
    assetId: a.assetId,
    url: `https://contoso.photoshelter.com/img-get2/${a.assetId}/fit=300x300/${'a'.repeat(120)}.jpg`,
    fileName: a.fileName,
  }));

const taskUrl = `https://tasks.office.com/contoso.example/Home/Task/${'t'.repeat(200)}`;
/** Teams user ids (MRIs) as long as they come, one per reviewer. */
const refreshUserIds = reviewers.map(
  (_, i) => `29:1${String(i).padStart(3, '0')}${'a'.repeat(140)}`,
);

const texts = (card: AdaptiveCard): string[] =>
  findAll(card, 'TextBlock').map((t) => String(t.text));
const moreLines = (card: AdaptiveCard): string[] =>
  texts(card).filter((t) => /^…and [\d,]+ more\b/.test(t));

function expectFits(card: AdaptiveCard): void {
  expect(cardSizeBytes(card)).toBeLessThanOrEqual(KB_28);
  expectRendererAccepts(card);
  // Shortened texts never end in half an emoji (JSON.stringify would escape a lone surrogate).
  expect(JSON.stringify(card)).not.toMatch(/\\ud[89ab]/i);
}

describe('card size in the worst case', () => {
  it('budgets 28 KB a card', () => {
    expect(CARD_BUDGET_BYTES).toBe(KB_28);
  });

  for (const view of ['reviewer', 'readOnly', 'moved'] as const) {
    it(`keeps the ${view} review card within 28 KB, trimming images and history with "…and N more"`, () => {
      const review = aWorstCaseReview();
      const card = buildReviewCard({
        review,
        thumbnails: thumbnailsOf(review),
        taskUrl,
        view,
        ...(view === 'reviewer' ? {} : { reason: view === 'moved' ? MOVED_NOTE : long(5000) }),
        now: t0,
        maxThumbnails: 12,
        refreshUserIds,
      });

      expectFits(card);
      expectActionDataParses(card);
      // Still a useful card: some images, the latest decisions, and how much was left out.
      expect(findAll(card, 'Image').length).toBeGreaterThan(0);
      expect(texts(card).filter((t) => t.startsWith('“')).length).toBeGreaterThan(0);
      const images = findAll(card, 'Image').length;
      expect(moreLines(card)).toContain(`…and ${100 - images} more`);
      expect(moreLines(card).some((t) => /^…and \d+ more decisions$/.test(t))).toBe(true);
    });
  }

  it('keeps the decided card within 28 KB, the deciding comment whole and the rest of the images as "…and N more"', () => {
    const review = aWorstCaseReview({
      status: 'approved',
      closedAt: t0.toISOString(),
      decisions: reviewers.map((r, i) =>
        aDecision(r, 'approve', { minutes: i, round: 10, comment: long(2000) }),
      ),
    });
    const card = buildDecidedCard({
      review,
      thumbnails: thumbnailsOf(review),
      taskUrl,
      maxThumbnails: 12,
      note: MOVED_NOTE,
    });

    expectFits(card);
    const images = findAll(card, 'Image').length;
    expect(images).toBeGreaterThan(0);
    expect(moreLines(card)).toEqual([`…and ${100 - images} more`]);
    expect(texts(card).some((t) => t.startsWith('“') && t.length > 2000)).toBe(true);
  });

  it('keeps the pending card within 28 KB, listing fewer reviews with "…and N more"', () => {
    const review = aWorstCaseReview({
      galleryUrl: `https://contoso.photoshelter.com/galleries/G0000autumn2026x/${'a'.repeat(500)}`,
    });
    const many = Array.from({ length: 100 }, (_, i) => ({ ...review, id: `${review.id}${i}` }));
    const card = buildPendingCard(many, t0, 5000);

    expectFits(card);
    const listed = findAll(card, 'Container').length;
    expect(listed).toBeGreaterThan(0);
    expect(moreLines(card)).toEqual([`…and ${(5000 - listed).toLocaleString('en-US')} more.`]);
  });

  it('keeps the status, help and error cards within 28 KB', () => {
    const review = aWorstCaseReview();
    for (const card of [
      buildStatusCard(review, long(5000)),
      buildStatusCard(undefined, long(5000)),
      buildHelpCard(),
      buildErrorCard(long(5000), long(50_000), {
        reviewId: review.id,
        cardVersion: review.cardVersion,
        cardInstance: `${review.id}#${'9'.repeat(200)}`,
      }),
    ]) {
      expectFits(card);
    }
  });
});
