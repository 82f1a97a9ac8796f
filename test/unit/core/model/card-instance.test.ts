import { describe, expect, it } from 'vitest';

import { cardInstanceOf, shownOn, takesPresses } from '../../../../core/model/card-instance.js';
import { type Review, reviewSchema } from '../../../../core/model/review.js';
import { aReview } from '../../../support/review-builders.js';

const withInstance = (review: Review, cardInstance: string | undefined): Review => ({
  ...review,
  teams: {
    conversation: review.teams.conversation,
    ...(cardInstance === undefined ? {} : { cardInstance }),
  },
});

describe('card instances', () => {
  const review = aReview();

  it('name the review and the post attempt that made the card', () => {
    expect(cardInstanceOf(review.id, 3)).toBe(`${review.id}#3`);
  });

  it('let only the recorded card take presses once the review records one', () => {
    const current = withInstance(review, cardInstanceOf(review.id, 2));
    expect(takesPresses(current, { instance: `${review.id}#2` })).toBe(true);
    expect(takesPresses(current, { instance: `${review.id}#1` })).toBe(false);
    expect(takesPresses(current, { instance: undefined })).toBe(false);
  });

  it('let the card of the activity the review records take presses, whatever its data says', () => {
    const current = {
      ...withInstance(review, `${review.id}#2`),
      teams: {
        conversation: review.teams.conversation,
        activityId: 'activity-2',
        cardInstance: `${review.id}#2`,
      },
    };
    expect(takesPresses(current, { instance: undefined, activityId: 'activity-2' })).toBe(true);
    expect(takesPresses(current, { instance: `${review.id}#1`, activityId: 'activity-1' })).toBe(
      false,
    );
  });

  it('let any card take presses on a review that records none', () => {
    const none = withInstance(review, undefined);
    expect(takesPresses(none, { instance: `${review.id}#1` })).toBe(true);
    expect(takesPresses(none, { instance: undefined })).toBe(true);
  });

  it('count a card without one as the first post: current until a later post is recorded', () => {
    expect(takesPresses(withInstance(review, `${review.id}#1`), { instance: undefined })).toBe(
      true,
    );
    expect(takesPresses(withInstance(review, `${review.id}#2`), { instance: undefined })).toBe(
      false,
    );
  });

  it('keep the pressed card’s instance on what it shows before the review records one', () => {
    expect(shownOn(withInstance(review, undefined), `${review.id}#1`).teams.cardInstance).toBe(
      `${review.id}#1`,
    );
    expect(
      shownOn(withInstance(review, `${review.id}#2`), `${review.id}#1`).teams.cardInstance,
    ).toBe(`${review.id}#2`);
  });

  it('are optional on stored reviews, so reviews stored before them still read', () => {
    const stored = JSON.parse(JSON.stringify(withInstance(review, undefined))) as unknown;
    expect(reviewSchema.parse(stored).teams.cardInstance).toBeUndefined();
  });
});
