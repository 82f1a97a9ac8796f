import { describe, expect, it } from 'vitest';

import type { AdaptiveCard } from '../../../adaptiveCards/card-types.js';
import {
  buildHelpCard,
  buildPendingCard,
  buildStatusCard,
} from '../../../adaptiveCards/message-card.js';
import {
  aDecision,
  aReview,
  aReviewer,
  at,
  someAssets,
  t0,
} from '../../support/review-builders.js';
import { expectGolden, expectRendererAccepts, findAll } from './card-checks.js';

const texts = (card: AdaptiveCard): string[] =>
  findAll(card, 'TextBlock').map((t) => String(t.text));

const now = new Date(t0.getTime() + 30 * 60 * 60_000);

describe('buildHelpCard', () => {
  it('lists the commands', () => {
    const card = buildHelpCard();
    expectGolden('help', card);
    expectRendererAccepts(card);
    expect(findAll(card, 'FactSet')[0]?.facts).toHaveLength(4);
  });
});

describe('buildPendingCard', () => {
  const reviews = [
    aReview({
      id: 'G0000studio00001~a',
      galleryId: 'G0000studio00001',
      galleryName: 'Studio portraits',
      assets: someAssets(40),
      dueAt: at(48 * 60),
    }),
    aReview({ status: 'rereview', decisions: [aDecision(aReviewer(1), 'rereview')] }),
  ];

  it('lists each open review with its gallery link and flags the overdue one', () => {
    const card = buildPendingCard(reviews, now);
    expectGolden('pending', card);
    expectRendererAccepts(card);
    expect(texts(card)).toContain(
      '3 images · sent back for re-review · due {{DATE(2026-11-24T12:00:00Z, SHORT)}} · overdue',
    );
    expect(findAll(card, 'Container').map((c) => (c.selectAction as { url: string }).url)).toEqual(
      reviews.map((r) => r.galleryUrl),
    );
  });

  it('lists at most 20 and says how many more there are', () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      aReview({ id: `G0000autumn2026x~${i}`, galleryName: `Batch ${i}` }),
    );
    const card = buildPendingCard(many, now, 130);
    expectRendererAccepts(card);
    expect(findAll(card, 'Container')).toHaveLength(20);
    expect(texts(card)).toContain('…and 110 more.');
    expect(texts(card)[0]).toBe('Open reviews (130)');
  });

  it('says so when nothing is open', () => {
    const card = buildPendingCard([], now);
    expectRendererAccepts(card);
    expect(texts(card)).toContain('No reviews are open. 🎉');
  });
});

describe('buildStatusCard', () => {
  it('shows where a gallery review stands with its last decision', () => {
    const ada = aReviewer(1);
    const ben = aReviewer(2);
    const review = aReview({
      reviewers: [ada, ben],
      status: 'rereview',
      cardVersion: 2,
      decisions: [aDecision(ben, 'rereview', { comment: 'Two frames are soft.' })],
    });
    const card = buildStatusCard(review, 'Autumn');
    expectGolden('status', card);
    expectRendererAccepts(card);
    expect(texts(card)).toContain('“Two frames are soft.”');
  });

  it('says which gallery it could not find, and how to ask when nothing was named', () => {
    const missing = buildStatusCard(undefined, 'Winter');
    expectGolden('status-not-found', missing);
    expectRendererAccepts(missing);
    expect(texts(missing)).toContain(
      'I found no review for a gallery called or numbered "Winter".',
    );
    expect(texts(buildStatusCard(undefined, '  '))).toContain(
      'Tell me which gallery: `status <gallery name or id>`.',
    );
  });
});
