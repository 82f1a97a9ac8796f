import { describe, expect, it } from 'vitest';

import { buildErrorCard } from '../../../adaptiveCards/error-card.js';
import { verbs } from '../../../adaptiveCards/verbs.js';
import {
  expectActionDataParses,
  expectGolden,
  expectRendererAccepts,
  executeVerbs,
  findAll,
} from './card-checks.js';

describe('buildErrorCard', () => {
  it('explains the problem and offers Refresh when the review is known', () => {
    const card = buildErrorCard('Comment required', 'Add a comment to ask for a re-review.', {
      reviewId: 'G0000autumn2026x~mih2l8g0',
      cardVersion: 4,
    });

    expectGolden('error-with-refresh', card);
    expectRendererAccepts(card);
    expectActionDataParses(card);
    expect(executeVerbs(card)).toEqual([verbs.refresh]);
    const [submit] = findAll(card, 'Action.Submit');
    expect(submit?.data).toEqual({
      reviewId: 'G0000autumn2026x~mih2l8g0',
      cardVersion: 4,
      verb: verbs.refresh,
    });
  });

  it('offers no action when no review is known', () => {
    const card = buildErrorCard(
      'This card cannot do that',
      'Open the review from the latest card.',
    );
    expectRendererAccepts(card);
    expect(findAll(card, 'ActionSet', 'Action.Execute', 'Action.Submit')).toEqual([]);
  });

  it('refreshes without a version when it does not know one', () => {
    const card = buildErrorCard('Review not found', 'Gone.', { reviewId: 'r-1' });
    expectActionDataParses(card);
    expect(findAll(card, 'Action.Execute')[0]?.data).toEqual({ reviewId: 'r-1' });
  });
});
