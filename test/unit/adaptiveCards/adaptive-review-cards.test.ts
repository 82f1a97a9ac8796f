import { describe, expect, it } from 'vitest';

import { AdaptiveReviewCards } from '../../../adaptiveCards/adaptive-review-cards.js';
import type { CardContext } from '../../../core/ports/review-cards.js';
import { aReview } from '../../support/review-builders.js';

const context: CardContext = {
  taskUrl: 'https://tasks.office.com/contoso/Home/Task/t1',
  thumbnails: [],
  refreshUserIds: ['29:reviewer'],
  now: new Date('2026-11-23T09:00:00.000Z'),
};

/** Every verb of an Action.Execute anywhere in the card. */
function verbsIn(card: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute' && typeof record.verb === 'string')
        found.push(record.verb);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

describe('AdaptiveReviewCards', () => {
  const cards = new AdaptiveReviewCards();

  it('gives an open review a shared card with the decision buttons and a refresh', () => {
    const verbs = verbsIn(cards.shared(aReview({ status: 'pending' }), context));
    expect(verbs).toEqual(expect.arrayContaining(['approve', 'rereview', 'archive', 'refresh']));
  });

  it('gives a decided review a final card without buttons, whoever asks', () => {
    const review = aReview({ status: 'approved', closedAt: '2026-11-23T10:00:00.000Z' });
    expect(verbsIn(cards.shared(review, context))).toEqual([]);
    expect(verbsIn(cards.forReviewer(review, context))).toEqual([]);
  });

  it('shows a read-only card with the reason and no decision buttons', () => {
    const card = cards.readOnly(aReview(), context, 'Only assigned reviewers can decide');
    expect(JSON.stringify(card)).toContain('Only assigned reviewers can decide');
    expect(verbsIn(card).filter((v) => v !== 'refresh')).toEqual([]);
  });

  it('tells a card the review moved away from so, open or decided, with nothing left to press', () => {
    const open = cards.moved(aReview(), context);
    expect(JSON.stringify(open)).toContain('This review moved to a newer card.');
    expect(verbsIn(open)).toEqual([]);
    expect(open).not.toHaveProperty('refresh');

    const decided = cards.moved(
      aReview({ status: 'archived', closedAt: '2026-11-23T10:00:00.000Z' }),
      context,
    );
    expect(JSON.stringify(decided)).toContain('This review moved to a newer card.');
    expect(JSON.stringify(decided)).toContain('Archived');
    expect(verbsIn(decided)).toEqual([]);
  });

  it("keeps the review's card instance on the error card's refresh", () => {
    const review = aReview({
      teams: { conversation: 'channel:Marketing/Photo reviews', cardInstance: 'rev-1#3' },
    });
    expect(JSON.stringify(cards.error('Comment required', 'Add one', review))).toContain(
      '"cardInstance":"rev-1#3"',
    );
  });

  it('offers a refresh on the error card when the review is known', () => {
    expect(verbsIn(cards.error('Something went wrong', 'Try again', aReview()))).toContain(
      'refresh',
    );
  });
});
