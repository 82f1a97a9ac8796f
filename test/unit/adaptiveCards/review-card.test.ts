import { describe, expect, it } from 'vitest';

import type { ReviewCardModel } from '../../../adaptiveCards/card-model.js';
import type { AdaptiveCard } from '../../../adaptiveCards/card-types.js';
import { buildReviewCard } from '../../../adaptiveCards/review-card.js';
import { verbs } from '../../../adaptiveCards/verbs.js';
import { type Review, decide } from '../../../core/model/review.js';
import type { CardJson } from '../../../core/ports/chat-notifier.js';
import type { CardContext } from '../../../core/ports/review-cards.js';
import {
  aDecision,
  aReview,
  aReviewer,
  at,
  mriOf,
  someAssets,
  someReviewers,
  t0,
} from '../../support/review-builders.js';
import {
  expectActionDataParses,
  expectGolden,
  expectRendererAccepts,
  executeVerbs,
  findAll,
} from './card-checks.js';

const now = new Date(t0.getTime() + 2 * 60 * 60_000);

function modelOf(review: Review, overrides: Partial<ReviewCardModel> = {}): ReviewCardModel {
  return {
    review,
    thumbnails: review.assets.slice(-8).map((a) => ({
      assetId: a.assetId,
      url: a.thumbnailUrl ?? '',
      fileName: a.fileName,
    })),
    taskUrl: 'https://tasks.office.com/contoso.example/Home/Task/task-00000000000000000000001',
    view: 'reviewer',
    now,
    refreshUserIds: review.reviewers.map(mriOf),
    ...overrides,
  };
}

const texts = (card: AdaptiveCard): string[] =>
  findAll(card, 'TextBlock').map((t) => String(t.text));

const twoReviewers = someReviewers(2);

describe('buildReviewCard', () => {
  it('shows a Ziflow proof: its version, each stage by decision, and a link to it', () => {
    const review = aReview({
      reviewers: twoReviewers,
      proof: {
        proofId: 'p-2',
        versionIds: ['p-1', 'p-2'],
        url: 'https://contoso.ziflow.io/proof/abc',
        decisionStatus: null,
        stages: [
          {
            id: 's1',
            name: 'Creative',
            status: 'approved',
            approved: 1,
            approvedWithChanges: 1,
            changesRequired: 0,
            notRelevant: 0,
            waiting: 0,
          },
          {
            id: 's2',
            name: 'Legal',
            status: null,
            approved: 0,
            approvedWithChanges: 0,
            changesRequired: 0,
            notRelevant: 0,
            waiting: 2,
          },
        ],
      },
    });
    const card = buildReviewCard(modelOf(review));
    expectRendererAccepts(card);
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Ziflow proof, version 2',
        'Creative: 1 approved · 1 approved with changes',
        'Legal: 2 waiting',
      ]),
    );
    expect(findAll(card, 'Action.OpenUrl').map((a) => [a.title, a.url])).toContainEqual([
      'Open proof in Ziflow',
      'https://contoso.ziflow.io/proof/abc',
    ]);
  });

  it('gives a reviewer of a pending batch the thumbnails, votes and the three decisions', () => {
    const review = aReview({ assets: someAssets(12), reviewers: twoReviewers });
    const card = buildReviewCard(modelOf(review));

    expectGolden('review-pending-reviewer', card);
    expectRendererAccepts(card);
    expectActionDataParses(card);
    expect(executeVerbs(card)).toEqual([
      verbs.refresh,
      verbs.approve,
      verbs.rereview,
      verbs.archive,
    ]);
    expect(texts(card)).toContain('12 images');
    expect(texts(card)).toContain('…and 4 more');
    expect(findAll(card, 'Image')).toHaveLength(8);
    expect(card.refresh?.userIds).toEqual(twoReviewers.map(mriOf));
  });

  it('gives everyone else a read-only view with the reason and the links, but no decisions', () => {
    const review = aReview({ reviewers: twoReviewers });
    const card = buildReviewCard(
      modelOf(review, { view: 'readOnly', reason: 'You are not a reviewer of this batch' }),
    );

    expectGolden('review-read-only', card);
    expectRendererAccepts(card);
    expect(texts(card)).toContain('You are not a reviewer of this batch');
    expect(executeVerbs(card)).toEqual([verbs.refresh]);
    expect(findAll(card, 'Action.OpenUrl').map((a) => a.title)).toEqual([
      'Open gallery',
      'Open Planner task',
    ]);
  });

  it('counts the approvals in when every reviewer must approve', () => {
    const reviewers = someReviewers(3);
    const opened = aReview({ reviewers, approval: 'all' });
    const outcome = decide(
      opened,
      { reviewerId: aReviewer(1).id, verb: 'approve', cardVersion: 1, source: 'teams' },
      new Date(at(30)),
    );
    if (outcome.kind !== 'recorded')
      throw new TypeError(`expected a recorded vote: ${outcome.kind}`);
    const card = buildReviewCard(modelOf(outcome.review));

    expectGolden('review-approve-all-one-vote', card);
    expectRendererAccepts(card);
    expectActionDataParses(card);
    expect(texts(card)).toContain('Every reviewer must approve (1 of 3 so far).');
    const facts = findAll(card, 'FactSet').flatMap((f) => f.facts as { value: string }[]);
    expect(facts.map((f) => f.value)).toEqual(['✓ approved', 'waiting', 'waiting']);
    // The card carries the version after the vote, so a press on the old card is stale.
    const execute = findAll(card, 'Action.Execute').find((a) => a.verb === verbs.approve);
    expect(execute?.data).toEqual({ reviewId: opened.id, cardVersion: 2 });
  });

  it('shows a re-review with its comment in the history and keeps the decisions open', () => {
    const ben = aReviewer(2);
    const review = aReview({
      reviewers: twoReviewers,
      status: 'rereview',
      cardVersion: 2,
      decisions: [
        aDecision(ben, 'rereview', {
          comment: 'Horizon tilts on 3 and 7;\nre-shoot the flat lay.',
        }),
      ],
    });
    const card = buildReviewCard(modelOf(review));

    expectGolden('review-rereview-history', card);
    expectRendererAccepts(card);
    expectActionDataParses(card);
    expect(texts(card)).toContain('“Horizon tilts on 3 and 7; re-shoot the flat lay.”');
    expect(executeVerbs(card)).toContain(verbs.approve);
  });

  it('shows who decided through the API and through which application; card decisions say neither', () => {
    const reviewers = someReviewers(3);
    const [ada, ben] = reviewers;
    if (ada === undefined || ben === undefined) throw new RangeError('three reviewers');
    // Two of three approvals are in: the review still waits for the third.
    const review = aReview({
      reviewers,
      approval: 'all',
      cardVersion: 3,
      decisions: [
        aDecision(ada, 'approve', { minutes: 10 }),
        aDecision(ben, 'approve', { minutes: 20, source: 'api', via: 'Power Automate' }),
      ],
    });
    const lines = texts(buildReviewCard(modelOf(review))).filter((t) => t.startsWith('✓'));

    expect(lines).toEqual([
      '✓ Ben Okafor via Power Automate approved · {{DATE(2026-11-23T12:20:00Z, SHORT)}} {{TIME(2026-11-23T12:20:00Z)}}',
      '✓ Ada Lovelace approved · {{DATE(2026-11-23T12:10:00Z, SHORT)}} {{TIME(2026-11-23T12:10:00Z)}}',
    ]);
  });

  it('puts the re-review comment in a required input before its Execute', () => {
    const card = buildReviewCard(modelOf(aReview()));
    const [show] = findAll(card, 'Action.ShowCard');
    const [input] = findAll(show, 'Input.Text');
    expect(input).toMatchObject({ id: 'comment', isRequired: true, maxLength: 2000 });
    expect(input?.errorMessage).toEqual(expect.any(String));
    expect(executeVerbs(show)).toEqual([verbs.rereview]);
  });

  it('wraps every Execute in an ActionSet and gives it a Submit fallback carrying the verb', () => {
    const review = aReview();
    const card = buildReviewCard(modelOf(review));
    expect(card.actions?.every((a) => a.type === 'Action.OpenUrl')).toBe(true);
    // Direct children of an ActionSet: the refresh action is the only Execute outside one.
    const pressable = findAll(card, 'ActionSet').flatMap((set) =>
      (set.actions as { type: string }[]).flatMap((a) =>
        a.type === 'Action.ShowCard' ? [] : findAll(a, 'Action.Execute').slice(0, 1),
      ),
    );
    expect(pressable.map((a) => a.verb).sort()).toEqual(['approve', 'archive', 'rereview']);
    for (const execute of pressable) {
      expect(execute.fallback).toEqual({
        type: 'Action.Submit',
        title: execute.title,
        data: { reviewId: review.id, cardVersion: 1, verb: execute.verb },
        ...(execute.style === undefined ? {} : { style: execute.style }),
      });
    }
  });

  it("names the review's card instance in every Execute, Submit fallback and the refresh", () => {
    const review = aReview({
      teams: { conversation: 'channel:Marketing/Photo reviews', cardInstance: 'rev-1#2' },
    });
    const card = buildReviewCard(modelOf(review));
    expectActionDataParses(card);
    const executes = findAll(card, 'Action.Execute');
    const submits = findAll(card, 'Action.Submit');
    expect(executes.map((a) => a.verb)).toEqual(['refresh', 'approve', 'rereview', 'archive']);
    expect(submits).toHaveLength(3);
    for (const action of [...executes, ...submits]) {
      expect(action.data).toMatchObject({ reviewId: review.id, cardInstance: 'rev-1#2' });
    }
  });

  it('shows a card the review moved away from read-only for good: the reason, no buttons, no refresh', () => {
    const review = aReview({
      reviewers: twoReviewers,
      teams: { conversation: 'channel:Marketing/Photo reviews', cardInstance: 'rev-1#2' },
    });
    const card = buildReviewCard(
      modelOf(review, { view: 'moved', reason: 'This review moved to a newer card.' }),
    );

    expectGolden('review-moved', card);
    expectRendererAccepts(card);
    expect(texts(card)).toContain('This review moved to a newer card.');
    expect(executeVerbs(card)).toEqual([]);
    expect(card.refresh).toBeUndefined();
    expect(findAll(card, 'Action.OpenUrl').map((a) => a.title)).toEqual([
      'Open gallery',
      'Open Planner task',
    ]);
  });

  it('says when the batch is overdue', () => {
    const card = buildReviewCard(modelOf(aReview(), { now: new Date(at(25 * 60)) }));
    expect(texts(card)).toContain('Due {{DATE(2026-11-24T12:00:00Z, SHORT)}} · overdue');
  });

  it('offers no decisions and no refresh once the review is closed', () => {
    const review = aReview({
      status: 'approved',
      closedAt: at(30),
      decisions: [aDecision(aReviewer(1), 'approve')],
    });
    const card = buildReviewCard(modelOf(review));
    expectRendererAccepts(card);
    expect(executeVerbs(card)).toEqual([]);
    expect(card.refresh).toBeUndefined();
  });

  it('refreshes at most 60 distinct users and leaves out ids no MRI is as long as', () => {
    const ids = [...someReviewers(70).map(mriOf), mriOf(aReviewer(1)), '', 'x'.repeat(300)];
    const card = buildReviewCard(modelOf(aReview(), { refreshUserIds: ids }));
    expect(card.refresh?.userIds).toEqual(someReviewers(60).map(mriOf));
  });

  it('refreshes nobody automatically when no Teams ids are known', () => {
    const card = buildReviewCard(modelOf(aReview(), { refreshUserIds: [] }));
    expect(card.refresh?.userIds).toEqual([]);
  });

  it('shows the five latest decisions, newest first, with long comments shortened', () => {
    const reviewers = someReviewers(2);
    const decisions = Array.from({ length: 8 }, (_, i) =>
      aDecision(reviewers[i % 2] ?? aReviewer(1), 'rereview', {
        minutes: i,
        comment: `${i}:${'x'.repeat(1000)}`,
      }),
    );
    const card = buildReviewCard(
      modelOf(aReview({ reviewers, status: 'rereview', decisions }), {}),
    );
    const comments = texts(card).filter((t) => t.startsWith('“'));
    expect(comments.map((c) => c.slice(1, 3))).toEqual(['7:', '6:', '5:', '4:', '3:']);
    expect(comments.every((c) => c.length <= 282 && c.endsWith('…”'))).toBe(true);
    expect(texts(card)).toContain('…and 3 more decisions');
  });

  it('honours maxThumbnails and caps the title', () => {
    const review = aReview({ assets: someAssets(20), galleryName: 'G'.repeat(500) });
    const card = buildReviewCard(modelOf(review, { maxThumbnails: 3 }));
    expect(findAll(card, 'Image')).toHaveLength(3);
    expect(texts(card)).toContain('…and 17 more');
    expect(texts(card)[0]).toHaveLength(150);
  });

  it("fits core's ReviewCards port: the model takes a CardContext, the card is CardJson", () => {
    const review = aReview();
    const context: CardContext = {
      taskUrl: undefined,
      thumbnails: [],
      refreshUserIds: [],
      now,
    };
    const json: CardJson = buildReviewCard({ review, ...context, view: 'readOnly' });
    expect(json.type).toBe('AdaptiveCard');
    expect(findAll(json, 'Action.OpenUrl').map((a) => a.title)).toEqual(['Open gallery']);
  });
});
