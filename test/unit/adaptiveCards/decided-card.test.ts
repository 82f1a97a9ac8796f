import { describe, expect, it } from 'vitest';

import type { AdaptiveCard } from '../../../adaptiveCards/card-types.js';
import { buildDecidedCard } from '../../../adaptiveCards/decided-card.js';
import { aDecision, aReview, aReviewer, at } from '../../support/review-builders.js';
import { expectGolden, expectRendererAccepts, executeVerbs, findAll } from './card-checks.js';

const texts = (card: AdaptiveCard): string[] =>
  findAll(card, 'TextBlock').map((t) => String(t.text));

const TASK_URL = 'https://tasks.office.com/contoso.example/Home/Task/task-00000000000000000000001';
const ada = aReviewer(1);
const ben = aReviewer(2);

describe('buildDecidedCard', () => {
  it('names every approver when all had to approve, and offers only links', () => {
    const review = aReview({
      reviewers: [ada, ben],
      approval: 'all',
      status: 'approved',
      cardVersion: 3,
      decisions: [
        aDecision(ada, 'approve', { minutes: 20 }),
        aDecision(ben, 'approve', { minutes: 45, comment: 'Lovely light.' }),
      ],
      closedAt: at(45),
    });
    const card = buildDecidedCard({
      review,
      taskUrl: TASK_URL,
      thumbnails: review.assets.map((a) => ({
        assetId: a.assetId,
        url: a.thumbnailUrl ?? '',
        fileName: a.fileName,
      })),
    });

    expectGolden('decided-approved', card);
    expectRendererAccepts(card);
    expect(texts(card)).toContain(
      'Approved by Ada Lovelace and Ben Okafor on {{DATE(2026-11-23T12:45:00Z, SHORT)}} {{TIME(2026-11-23T12:45:00Z)}}.',
    );
    expect(texts(card)).toContain('“Lovely light.”');
    expect(executeVerbs(card)).toEqual([]);
    expect(card.refresh).toBeUndefined();
    expect(findAll(card, 'Action.OpenUrl').map((a) => a.title)).toEqual([
      'Open gallery',
      'Open Planner task',
    ]);
  });

  it('says who archived the batch, when and why', () => {
    const review = aReview({
      reviewers: [ada, ben],
      status: 'archived',
      cardVersion: 2,
      decisions: [aDecision(ben, 'archive', { minutes: 90, comment: 'Duplicate of last week.' })],
      closedAt: at(90),
    });
    const card = buildDecidedCard({ review, taskUrl: TASK_URL });

    expectGolden('decided-archived', card);
    expectRendererAccepts(card);
    expect(texts(card)).toContain(
      'Archived by Ben Okafor on {{DATE(2026-11-23T13:30:00Z, SHORT)}} {{TIME(2026-11-23T13:30:00Z)}}.',
    );
    expect(texts(card)).toContain('“Duplicate of last week.”');
  });

  it('says an API decision was recorded by the calling application for the reviewer', () => {
    const megan = aReviewer(3, { name: 'Megan Bowen' });
    const archivedVia = (via: string | undefined) =>
      aReview({
        reviewers: [megan],
        status: 'archived',
        cardVersion: 2,
        decisions: [
          aDecision(megan, 'archive', {
            minutes: 90,
            source: 'api',
            ...(via === undefined ? {} : { via }),
          }),
        ],
        closedAt: at(90),
      });
    const on = 'on {{DATE(2026-11-23T13:30:00Z, SHORT)}} {{TIME(2026-11-23T13:30:00Z)}}.';

    const card = buildDecidedCard({ review: archivedVia('Power Automate') });
    expectRendererAccepts(card);
    expect(texts(card)).toContain(`Archived by Megan Bowen via Power Automate ${on}`);
    // Stored before decisions named their application: still not credited to Megan alone.
    expect(texts(buildDecidedCard({ review: archivedVia(undefined) }))).toContain(
      `Archived by Megan Bowen via the API ${on}`,
    );
  });

  it('credits a decision made in Planner to the board', () => {
    const review = aReview({
      status: 'approved',
      cardVersion: 2,
      decisions: [
        aDecision({ id: 'pm-1', name: 'Planner', upn: '' }, 'approve', {
          source: 'planner',
          minutes: 10,
        }),
      ],
      closedAt: at(10),
    });
    const card = buildDecidedCard({ review });
    expectRendererAccepts(card);
    expect(texts(card)).toContainEqual(
      expect.stringMatching(/^Approved by Someone in Planner on /),
    );
  });

  it('says a superseded review was replaced, without naming anyone', () => {
    const card = buildDecidedCard({ review: aReview({ status: 'superseded', closedAt: at(5) }) });
    expectRendererAccepts(card);
    expect(texts(card)).toContainEqual(
      expect.stringMatching(/^Superseded by a newer review of this gallery on /),
    );
  });
  it('says where the package stands in Preservica: on the way, preserved, or failed with the reason', () => {
    const preservation = {
      when: 'on-approval' as const,
      folderRef: 'folder-1',
      securityTag: 'open',
      scope: 'review' as const,
      packageKey: 'preservica:r1',
      attempt: 1,
      references: { I0000aaaaaaaaaaa: 'ref-a', I0000bbbbbbbbbbb: 'ref-b' },
      startedAt: at(50),
    };
    const approved = (p: NonNullable<Parameters<typeof aReview>[0]>['preservation']) =>
      buildDecidedCard({
        review: aReview({
          status: 'approved',
          decisions: [aDecision(ada, 'approve', { minutes: 45 })],
          closedAt: at(45),
          preservation: p,
        }),
      });
    expect(texts(approved({ ...preservation, status: 'ingesting' }))).toContain(
      'Preserving in Preservica: 2 images on the way.',
    );
    const preserved = approved({ ...preservation, status: 'preserved', preservedAt: at(60) });
    expectRendererAccepts(preserved);
    expect(texts(preserved)).toContain(
      'Preserved in Preservica on {{DATE(2026-11-23T13:00:00Z, SHORT)}} {{TIME(2026-11-23T13:00:00Z)}}.',
    );
    const failed = approved({
      ...preservation,
      status: 'failed',
      reason: 'Fixity check failed for *IMG_1.jpg*',
    });
    expectGolden('decided-preservation-failed', failed);
    expectRendererAccepts(failed);
    const line = texts(failed).find((t) => t.startsWith('Preservation failed'));
    // Preservica's words are shown as plain text, never as markdown.
    expect(line).toContain('Fixity check failed for \\*IMG\\_1.jpg\\*');
    expect(line).toContain('the Planner task is open again');
  });
});
