import { describe, expect, it } from 'vitest';

import { parseActionData, submitDataSchema } from '../../../adaptiveCards/action-data.js';
import { allVerbs, isDecisionVerb, verbs } from '../../../adaptiveCards/verbs.js';

const REVIEW_ID = 'G0000autumn2026x~mih2l8g0';

const problemsOf = (verb: unknown, data: unknown): readonly string[] => {
  const result = parseActionData(verb, data);
  return result.ok ? [] : result.problems;
};

describe('parseActionData', () => {
  it('takes the verb from an Action.Execute and the comment Teams merged into data', () => {
    expect(
      parseActionData(verbs.rereview, {
        reviewId: REVIEW_ID,
        cardVersion: 3,
        comment: 'Crop tighter',
      }),
    ).toEqual({
      ok: true,
      value: { verb: 'rereview', reviewId: REVIEW_ID, cardVersion: 3, comment: 'Crop tighter' },
    });
  });

  it('takes the verb from data when an Action.Submit fallback sent it', () => {
    const data = submitDataSchema.parse({ verb: 'approve', reviewId: REVIEW_ID, cardVersion: 3 });
    expect(parseActionData(undefined, data)).toEqual({
      ok: true,
      value: { verb: 'approve', reviewId: REVIEW_ID, cardVersion: 3 },
    });
  });

  it('lets a refresh leave out the card version', () => {
    expect(parseActionData(verbs.refresh, { reviewId: REVIEW_ID })).toEqual({
      ok: true,
      value: { verb: 'refresh', reviewId: REVIEW_ID },
    });
  });

  it('takes the card instance a press or refresh came from, and leaves it out on older cards', () => {
    const cardInstance = `${REVIEW_ID}#2`;
    expect(
      parseActionData('approve', { reviewId: REVIEW_ID, cardVersion: 3, cardInstance }),
    ).toEqual({
      ok: true,
      value: { verb: 'approve', reviewId: REVIEW_ID, cardVersion: 3, cardInstance },
    });
    expect(
      parseActionData(undefined, { verb: 'refresh', reviewId: REVIEW_ID, cardInstance }),
    ).toEqual({
      ok: true,
      value: { verb: 'refresh', reviewId: REVIEW_ID, cardInstance },
    });
    expect(problemsOf('archive', { reviewId: REVIEW_ID, cardVersion: 3, cardInstance: 2 })).toEqual(
      [expect.stringMatching(/^cardInstance: /)],
    );
  });

  it('ignores keys it does not know', () => {
    expect(
      parseActionData('archive', { reviewId: REVIEW_ID, cardVersion: 1, msteams: {} }),
    ).toEqual({
      ok: true,
      value: { verb: 'archive', reviewId: REVIEW_ID, cardVersion: 1 },
    });
  });

  it('names a missing review id', () => {
    expect(problemsOf('approve', { cardVersion: 1 })).toEqual([
      expect.stringMatching(/^reviewId: /),
    ]);
  });

  it('names a card version that is not a whole number', () => {
    expect(problemsOf('approve', { reviewId: REVIEW_ID, cardVersion: 'x' })).toEqual([
      expect.stringMatching(/^cardVersion: /),
    ]);
    expect(problemsOf('approve', { reviewId: REVIEW_ID, cardVersion: 1.5 })).toEqual([
      expect.stringMatching(/^cardVersion: /),
    ]);
    expect(problemsOf('approve', { reviewId: REVIEW_ID })).toEqual([
      expect.stringMatching(/^cardVersion: /),
    ]);
  });

  it('names a comment longer than a decision keeps', () => {
    expect(
      problemsOf('rereview', { reviewId: REVIEW_ID, cardVersion: 1, comment: 'x'.repeat(5000) }),
    ).toEqual([expect.stringMatching(/^comment: /)]);
  });

  it('never echoes the value it refused', () => {
    const secret = 'x'.repeat(5000);
    const problems = problemsOf('not-a-verb', { reviewId: secret, cardVersion: secret });
    expect(problems.join('\n')).not.toContain('xxxxxxxxxx');
  });

  it('names the verb when it is missing, unknown, or the two places disagree', () => {
    expect(problemsOf(undefined, { reviewId: REVIEW_ID, cardVersion: 1 })).toEqual([
      expect.stringMatching(/^verb: /),
    ]);
    expect(problemsOf('publish', { reviewId: REVIEW_ID, cardVersion: 1 })).toEqual([
      expect.stringMatching(/^verb: /),
    ]);
    expect(problemsOf('approve', { verb: 'archive', reviewId: REVIEW_ID, cardVersion: 1 })).toEqual(
      [expect.stringMatching(/^verb: /)],
    );
  });

  it('reports every problem at once', () => {
    expect(problemsOf('publish', { cardVersion: 'x', comment: 'x'.repeat(5000) })).toEqual([
      expect.stringMatching(/^verb: /),
      expect.stringMatching(/^reviewId: /),
      expect.stringMatching(/^cardVersion: /),
      expect.stringMatching(/^comment: /),
    ]);
  });

  it('refuses data that is not an object', () => {
    for (const data of [undefined, null, 'approve', [REVIEW_ID]]) {
      expect(problemsOf('approve', data)).toEqual(['data: expected an object']);
    }
  });
});

describe('verbs', () => {
  it('are the three decisions and refresh', () => {
    expect(allVerbs).toEqual(['approve', 'rereview', 'archive', 'refresh']);
    expect(allVerbs.filter(isDecisionVerb)).toEqual(['approve', 'rereview', 'archive']);
  });
});
