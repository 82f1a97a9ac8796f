import { describe, expect, it } from 'vitest';

import { preservesOn } from '../../../../core/model/preservation.js';
import {
  assetsOfVersion,
  isOwnVersion,
  progressOf,
  proofDecisionOfVerb,
  type ReviewProof,
} from '../../../../core/model/proof.js';
import {
  decide,
  type DecisionOutcome,
  proofDecisionRequest,
  type Review,
} from '../../../../core/model/review.js';
import { routingRulesSchema } from '../../../../core/model/routing-rules.js';
import { aReview, aReviewer, t0 } from '../../../support/review-builders.js';

const ada = aReviewer(1);
const ben = aReviewer(2);
const later = new Date(t0.getTime() + 60_000);

/** A Ziflow decision applied as the review loop applies it. */
function decideFromProof(
  review: Review,
  input: Parameters<typeof proofDecisionRequest>[1],
  now: Date,
): DecisionOutcome | { kind: 'notDeciding' } {
  const request = proofDecisionRequest(review, input);
  if (request === 'notDeciding') return { kind: 'notDeciding' };
  if (request === 'notReviewer') return { kind: 'notReviewer' };
  return decide(review, request, now);
}

describe('a Ziflow decision on the review', () => {
  it("approves by the reviewer's email, as a Teams approval would", () => {
    const review = aReview({ reviewers: [ada, ben] });
    const outcome = decideFromProof(
      review,
      { email: ` ${ada.upn.toUpperCase()} `, decision: 'approved_with_changes' },
      later,
    );
    expect(outcome).toMatchObject({
      kind: 'decided',
      review: {
        status: 'approved',
        decisions: [
          {
            reviewerId: ada.id,
            verb: 'approve',
            source: 'ziflow',
            comment: 'Approved with changes in Ziflow.',
          },
        ],
      },
    });
  });

  it('asks for a re-review on "changes required", with the reason or a default comment', () => {
    const review = aReview({ reviewers: [ada] });
    const withReason = decideFromProof(
      review,
      { email: ada.upn, decision: 'changes_required', reason: 'Crop the logo' },
      later,
    );
    expect(withReason).toMatchObject({
      kind: 'decided',
      review: { status: 'rereview', decisions: [{ verb: 'rereview', comment: 'Crop the logo' }] },
    });
    const without = decideFromProof(
      review,
      { email: ada.upn, decision: 'changes_required' },
      later,
    );
    expect(without).toMatchObject({
      review: { decisions: [{ comment: 'Changes required in Ziflow.' }] },
    });
  });

  it('settles nothing on "not relevant", and refuses someone who is not a reviewer', () => {
    const review = aReview({ reviewers: [ada] });
    expect(decideFromProof(review, { email: ada.upn, decision: 'not_relevant' }, later)).toEqual({
      kind: 'notDeciding',
    });
    expect(
      decideFromProof(review, { email: 'someone@else.example', decision: 'approved' }, later),
    ).toEqual({ kind: 'notReviewer' });
  });

  it('is not applied twice when a Teams decision mirrored to the proof comes back', () => {
    const review = aReview({ reviewers: [ada, ben] });
    const inTeams = decide(
      review,
      {
        reviewerId: ada.id,
        verb: 'rereview',
        comment: 'Too dark',
        cardVersion: 1,
        source: 'teams',
      },
      later,
    );
    if (inTeams.kind !== 'decided') return expect.fail(inTeams.kind);
    const back = decideFromProof(
      inTeams.review,
      { email: ada.upn, decision: 'changes_required', reason: 'Too dark' },
      later,
    );
    expect(back.kind).toBe('alreadyDecided');
  });

  it('waits for every reviewer under approval "all"', () => {
    const review = aReview({ reviewers: [ada, ben], approval: 'all' });
    const first = decideFromProof(review, { email: ada.upn, decision: 'approved' }, later);
    expect(first).toMatchObject({ kind: 'recorded', waitingFor: [ben.name] });
  });
});

describe('stage progress', () => {
  it('counts each decision and who is still to decide', () => {
    expect(
      progressOf({
        id: 'S1',
        name: 'Legal',
        status: null,
        members: [
          { email: 'a@x.example', decision: 'approved' },
          { email: 'b@x.example', decision: 'changes_required' },
          { email: 'c@x.example', decision: null },
          { email: 'd@x.example', decision: null },
        ],
      }),
    ).toEqual({
      id: 'S1',
      name: 'Legal',
      status: null,
      approved: 1,
      approvedWithChanges: 0,
      changesRequired: 1,
      notRelevant: 0,
      waiting: 2,
    });
  });

  it('mirrors approve and re-review to Ziflow decisions, archive to none', () => {
    expect(proofDecisionOfVerb).toEqual({
      approve: 'approved',
      rereview: 'changes_required',
      archive: undefined,
    });
  });
});

describe("which versions are Lightdesk's and which asset each file is", () => {
  const proof: ReviewProof = {
    proofId: 'v3',
    versionIds: ['v1', 'v2', 'v3'],
    ownVersionIds: ['v1'],
    decisionStatus: null,
    stages: [],
    assetsOf: { v1: ['a', 'b'] },
  };

  it("tells a person's versions from Lightdesk's, and takes a proof from before as all its own", () => {
    expect(['v1', 'v2', 'v3'].map((v) => isOwnVersion(proof, v))).toEqual([true, false, false]);
    const before = { ...proof, ownVersionIds: undefined, versionIds: ['v1', 'v2'], proofId: 'v2' };
    expect(isOwnVersion(before, 'v2')).toBe(true);
  });

  it("maps a person's version by the version it was made from, back to the one Lightdesk made", () => {
    expect(assetsOfVersion(proof, 'v3', ['x'])).toEqual(['a', 'b']);
    expect(assetsOfVersion({ ...proof, assetsOf: undefined }, 'v3', ['x'])).toEqual(['x']);
  });
});

describe('when a review is preserved', () => {
  it('follows the rule: on approval, on archive, or with a retired gallery', () => {
    expect(preservesOn('on-approval', 'approved')).toBe(true);
    expect(preservesOn('on-approval', 'archived')).toBe(false);
    expect(preservesOn('on-archive', 'archived')).toBe(true);
    expect(preservesOn('on-retire', 'archived')).toBe(true);
    expect(preservesOn('on-archive', 'rereview')).toBe(false);
  });
});

describe('routing rules for Ziflow and Preservica', () => {
  const rule = (extra: Record<string, unknown>) => ({
    name: 'Brand',
    match: {},
    planner: { bucket: 'To review' },
    reviewers: ['adele@contoso.example'],
    conversation: 'channel:Marketing/Photo reviews',
    ...extra,
  });

  it('reviews in Teams by default, with one Ziflow stage ready if the rule switches', () => {
    const [parsed] = routingRulesSchema.parse({ rules: [rule({})] }).rules;
    expect(parsed?.review).toBe('teams');
    expect(parsed?.ziflow).toEqual({ stages: [{ name: 'Review' }] });
    expect(parsed?.preserve).toBeUndefined();
  });

  it('takes stages with their reviewers and a preserve section', () => {
    const [parsed] = routingRulesSchema.parse({
      rules: [
        rule({
          review: 'both',
          ziflow: {
            stages: [
              { name: 'Creative', reviewers: ['adele@contoso.example'], dueInHours: 24 },
              { name: 'Legal' },
            ],
          },
          preserve: { when: 'on-approval', folder: 'b0d1c2e3-0000-4000-8000-000000000001' },
        }),
      ],
    }).rules;
    expect(parsed?.ziflow.stages).toHaveLength(2);
    expect(parsed?.preserve).toEqual({
      when: 'on-approval',
      folder: 'b0d1c2e3-0000-4000-8000-000000000001',
      securityTag: 'open',
    });
  });

  it('refuses a stage reviewer that is not an email and an unknown preserve moment', () => {
    const parsed = routingRulesSchema.safeParse({
      rules: [
        rule({
          review: 'ziflow',
          ziflow: { stages: [{ name: 'Creative', reviewers: ['not an email'] }] },
          preserve: { when: 'someday', folder: 'f' },
        }),
      ],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'rules.0.ziflow.stages.0.reviewers.0',
      'rules.0.preserve.when',
    ]);
  });
});
