import { describe, expect, it } from 'vitest';

import {
  addAssets,
  decide,
  decisionAuthor,
  decisionSchema,
  type DecisionOutcome,
  type DecisionRequest,
  type Review,
  reviewSchema,
} from '../../../../core/model/review.js';
import {
  aDecision,
  anAsset,
  aReview,
  aReviewer,
  at,
  t0,
} from '../../../support/review-builders.js';

const ada = aReviewer(1);
const ben = aReviewer(2);
const chloe = aReviewer(3);
const outsider = aReviewer(6);
const later = new Date(t0.getTime() + 45 * 60_000);

function press(
  reviewer: { readonly id: string },
  verb: DecisionRequest['verb'],
  extra: Partial<DecisionRequest> = {},
): DecisionRequest {
  return { reviewerId: reviewer.id, verb, cardVersion: 1, source: 'teams', ...extra };
}

function decidedReview(outcome: DecisionOutcome): Review {
  if (outcome.kind !== 'decided' && outcome.kind !== 'recorded') {
    expect.fail(`expected the decision to be taken, got ${outcome.kind}`);
  }
  return outcome.review;
}

describe('decide', () => {
  it('lets any assigned reviewer approve a review that needs one approval', () => {
    const review = aReview({ reviewers: [ada, ben] });

    const outcome = decide(review, press(ben, 'approve'), later);

    expect(outcome.kind).toBe('decided');
    const approved = decidedReview(outcome);
    expect(approved).toMatchObject({
      status: 'approved',
      cardVersion: 2,
      closedAt: later.toISOString(),
      updatedAt: later.toISOString(),
    });
    expect(approved.decisions).toEqual([
      {
        reviewerId: ben.id,
        reviewerName: ben.name,
        verb: 'approve',
        at: later.toISOString(),
        source: 'teams',
        round: 1,
      },
    ]);
  });

  it('refuses someone who is not an assigned reviewer and changes nothing', () => {
    const review = aReview({ reviewers: [ada] });
    const before = structuredClone(review);

    expect(decide(review, press(outsider, 'approve'), later)).toEqual({ kind: 'notReviewer' });
    expect(review).toEqual(before);
  });

  it('answers a press on an older card with the current version', () => {
    const review = aReview({ cardVersion: 4 });

    expect(decide(review, press(ada, 'approve', { cardVersion: 3 }), later)).toEqual({
      kind: 'staleCard',
      currentVersion: 4,
    });
  });

  it('needs a comment to ask for a re-review, and keeps it when given', () => {
    const review = aReview();

    expect(decide(review, press(ada, 'rereview'), later).kind).toBe('commentRequired');
    expect(decide(review, press(ada, 'rereview', { comment: '   ' }), later).kind).toBe(
      'commentRequired',
    );

    const outcome = decide(review, press(ada, 'rereview', { comment: ' Crop tighter ' }), later);
    expect(outcome.kind).toBe('decided');
    const rereview = decidedReview(outcome);
    expect(rereview.status).toBe('rereview');
    expect(rereview.closedAt).toBeUndefined();
    expect(rereview.decisions.at(-1)?.comment).toBe('Crop tighter');
  });

  it('archives a review and closes it', () => {
    const archived = decidedReview(decide(aReview(), press(ada, 'archive'), later));

    expect(archived.status).toBe('archived');
    expect(archived.closedAt).toBe(later.toISOString());
  });

  it('with approval from all, records each approval and waits for the rest until the last one', () => {
    const review = aReview({ reviewers: [ada, ben, chloe], approval: 'all' });

    const first = decide(review, press(ada, 'approve'), later);
    expect(first).toMatchObject({ kind: 'recorded', waitingFor: [ben.name, chloe.name] });
    const afterAda = decidedReview(first);
    expect(afterAda).toMatchObject({ status: 'pending', cardVersion: 2 });

    const second = decide(afterAda, press(chloe, 'approve', { cardVersion: 2 }), later);
    expect(second).toMatchObject({ kind: 'recorded', waitingFor: [ben.name] });

    const last = decide(decidedReview(second), press(ben, 'approve', { cardVersion: 3 }), later);
    expect(last.kind).toBe('decided');
    expect(decidedReview(last)).toMatchObject({ status: 'approved', cardVersion: 4 });
    expect(decidedReview(last).decisions.map((d) => d.reviewerId)).toEqual([
      ada.id,
      chloe.id,
      ben.id,
    ]);
  });

  it('with approval from all, a re-review from anyone settles it at once', () => {
    const review = aReview({
      reviewers: [ada, ben],
      approval: 'all',
      decisions: [aDecision(ada, 'approve')],
      cardVersion: 2,
    });

    const outcome = decide(
      review,
      press(ben, 'rereview', { cardVersion: 2, comment: 'Wrong colour grade' }),
      later,
    );

    expect(outcome.kind).toBe('decided');
    expect(decidedReview(outcome).status).toBe('rereview');
  });

  it('answers the same approval pressed twice with the decision already made', () => {
    const review = aReview({ reviewers: [ada, ben], approval: 'all' });
    const once = decidedReview(decide(review, press(ada, 'approve'), later));

    // Teams retries the invoke with the card the reviewer pressed on (version 1).
    const twice = decide(once, press(ada, 'approve'), later);

    expect(twice).toEqual({ kind: 'alreadyDecided', decision: once.decisions[0] });
  });

  it('answers a re-review pressed again on the same card with the decision already made', () => {
    const once = decidedReview(
      decide(aReview(), press(ada, 'rereview', { comment: 'Too dark' }), later),
    );

    // Teams retries the invoke with the card the reviewer pressed on (version 1).
    const again = decide(once, press(ada, 'rereview', { comment: 'Too dark' }), later);

    expect(again).toEqual({ kind: 'alreadyDecided', decision: once.decisions[0] });
    // On the current card a reviewer may still add another re-review note.
    const note = decide(
      once,
      press(ada, 'rereview', { cardVersion: 2, comment: 'And crop' }),
      later,
    );
    expect(note.kind).toBe('decided');
  });

  it('answers the same approval on a review it already closed with that decision', () => {
    const approved = decidedReview(decide(aReview(), press(ada, 'approve'), later));

    expect(decide(approved, press(ada, 'approve'), later).kind).toBe('alreadyDecided');
  });

  it('refuses a decision on a closed review with its status', () => {
    const review = aReview({
      reviewers: [ada, ben],
      status: 'archived',
      decisions: [aDecision(ada, 'archive')],
      closedAt: at(30),
      cardVersion: 2,
    });

    expect(decide(review, press(ben, 'approve', { cardVersion: 2 }), later)).toEqual({
      kind: 'closed',
      status: 'archived',
    });
  });

  it('records an API decision as made by the calling application on behalf of the reviewer', () => {
    const viaFlow = decidedReview(
      decide(aReview(), press(ada, 'archive', { source: 'api', via: 'Power Automate' }), later),
    );
    expect(viaFlow.decisions.at(-1)).toMatchObject({
      reviewerId: ada.id,
      reviewerName: ada.name,
      source: 'api',
      via: 'Power Automate',
    });

    // A caller that does not name itself is still not the reviewer in person.
    const viaApi = decidedReview(
      decide(aReview(), press(ada, 'archive', { source: 'api' }), later),
    );
    expect(viaApi.decisions.at(-1)).toMatchObject({ source: 'api', via: 'the API' });
  });

  it('names no application for a decision made on the card', () => {
    const onCard = decidedReview(
      decide(aReview(), press(ada, 'approve', { via: 'Power Automate' }), later),
    );

    expect(onCard.decisions.at(-1)).not.toHaveProperty('via');
  });

  it('still reads reviews stored before decisions named their application', () => {
    const stored = aReview({
      status: 'archived',
      decisions: [aDecision(ada, 'archive', { source: 'api' })],
      closedAt: at(30),
    });

    expect(reviewSchema.parse(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    expect(decisionAuthor(stored.decisions[0] ?? expect.fail('no decision'))).toBe(
      `${ada.name} via the API`,
    );
    expect(decisionAuthor(aDecision(ada, 'approve'))).toBe(ada.name);
  });

  it('keeps what a decision says of its application short and on one line', () => {
    const decision = aDecision(ada, 'approve', { source: 'api' });

    expect(decisionSchema.safeParse({ ...decision, via: 'Power Automate' }).success).toBe(true);
    expect(decisionSchema.safeParse({ ...decision, via: 'x'.repeat(65) }).success).toBe(false);
    expect(decisionSchema.safeParse({ ...decision, via: 'Flow\nForged line' }).success).toBe(false);
    expect(decisionSchema.safeParse({ ...decision, via: '' }).success).toBe(false);
  });

  it('takes a decision made in Planner at once, even when every reviewer must approve', () => {
    const review = aReview({ reviewers: [ada, ben], approval: 'all' });

    const outcome = decide(
      review,
      { reviewerId: 'pm-object-id', verb: 'approve', source: 'planner' },
      later,
    );

    expect(outcome.kind).toBe('decided');
    const approved = decidedReview(outcome);
    expect(approved.status).toBe('approved');
    expect(approved.decisions.at(-1)).toMatchObject({
      reviewerId: 'pm-object-id',
      reviewerName: 'Planner',
      source: 'planner',
    });
  });
});

describe('addAssets', () => {
  it('adds only new files, and returns the same review when nothing is new', () => {
    const review = aReview();

    expect(addAssets(review, [anAsset(1), anAsset(2)], later)).toBe(review);

    const grown = addAssets(review, [anAsset(3), anAsset(4)], later);
    expect(grown.assets.map((a) => a.assetId)).toEqual([1, 2, 3, 4].map((n) => anAsset(n).assetId));
    expect(grown).toMatchObject({ status: 'pending', round: 1, cardVersion: 2 });
  });

  it('brings a review waiting for new files back to pending, in the next round', () => {
    const review = aReview({
      status: 'rereview',
      decisions: [aDecision(ada, 'rereview', { comment: 'Need a wider shot' })],
      cardVersion: 2,
    });

    const next = addAssets(review, [anAsset(9)], later);

    expect(next).toMatchObject({
      status: 'pending',
      round: 2,
      cardVersion: 3,
      updatedAt: later.toISOString(),
    });
    // The new round starts without votes: an approval now is not "already decided".
    expect(decide(next, press(ada, 'approve', { cardVersion: 3 }), later).kind).toBe('decided');
  });
});
